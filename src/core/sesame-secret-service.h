/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-secret-service.h: the Secret Service, with prompts that free what
 * they answer */
#pragma once

#include <libsecret/secret.h>

G_BEGIN_DECLS

#define SESAME_TYPE_SECRET_SERVICE (sesame_secret_service_get_type ())
G_DECLARE_FINAL_TYPE (SesameSecretService, sesame_secret_service, SESAME, SECRET_SERVICE,
                      SecretService)

/* Unlocks the items or collections at @paths, through the service's prompt
 * when it asks for one (the person types their password). Fails with
 * SESAME_ERROR_KEYRING when the prompt was dismissed; an object that needed
 * no prompt yet stayed locked is for the caller to notice. */
void     sesame_secret_service_unlock_async  (SesameSecretService *self,
                                              const char * const  *paths,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean sesame_secret_service_unlock_finish (SesameSecretService *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The values of @attribute of the items of @schema, locked or not, without
 * reading a secret or asking to unlock. */
void     sesame_secret_service_list_async  (SesameSecretService *self,
                                            const SecretSchema  *schema,
                                            const char          *attribute,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GStrv    sesame_secret_service_list_finish (SesameSecretService *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* SESAME_ERROR_KEYRING, saying the keyring is locked and what to do. */
GError  *sesame_secret_service_new_locked_error (void);

G_END_DECLS

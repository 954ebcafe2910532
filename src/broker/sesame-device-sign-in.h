/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-device-sign-in.h: one device authorization grant (RFC 8628) of a caller */
#pragma once

#include "sesame-oauth-client.h"
#include "sesame-provider-registry.h"

G_BEGIN_DECLS

#define SESAME_TYPE_DEVICE_SIGN_IN (sesame_device_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (SesameDeviceSignIn, sesame_device_sign_in, SESAME, DEVICE_SIGN_IN, GObject)

/* The request belongs to @owner (a unique bus name): "owner-left" is
 * emitted, and polling stops, when that name leaves the bus. */
SesameDeviceSignIn *sesame_device_sign_in_new (const char             *id,
                                               GDBusConnection        *connection,
                                               const char             *owner,
                                               SesameProviderRegistry *providers,
                                               SesameOAuthClient      *client,
                                               SesameProvider         *provider,
                                               const char * const     *scopes);

const char     *sesame_device_sign_in_get_id       (SesameDeviceSignIn *self);
const char     *sesame_device_sign_in_get_owner    (SesameDeviceSignIn *self);
SesameProvider *sesame_device_sign_in_get_provider (SesameDeviceSignIn *self);

/* Asks the provider for a user code; returns the details of BeginDeviceSignIn. */
void         sesame_device_sign_in_begin_async   (SesameDeviceSignIn  *self,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GVariant    *sesame_device_sign_in_begin_finish  (SesameDeviceSignIn  *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Polls at the provider's interval (slower after slow_down) until the person
 * approves, denies (Cancelled) or the code expires (Provider). */
void         sesame_device_sign_in_poll_async    (SesameDeviceSignIn  *self,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
SesameToken *sesame_device_sign_in_poll_finish   (SesameDeviceSignIn  *self,
                                                  GAsyncResult        *result,
                                                  char               **identity,
                                                  GError             **error);

/* Stops polling; a pending poll fails with Cancelled. */
void         sesame_device_sign_in_cancel        (SesameDeviceSignIn  *self);

G_END_DECLS

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-grant-store.h: which applications may use which account */
#pragma once

#include "sesame-caller.h"

G_BEGIN_DECLS

typedef struct {
  char   *app_id;
  char   *app_name;
  char   *kind;          /* "flatpak", "snap" or "host" */
  char   *account;       /* account id */
  char  **scopes;
  gint64  granted_at;    /* 0: a host program allowed by default, never asked about */
  gint64  last_used;
  gboolean narrowed;     /* the last token handed out carried no more than asked */
} SesameGrant;

#define SESAME_TYPE_GRANT_STORE (sesame_grant_store_get_type ())
G_DECLARE_FINAL_TYPE (SesameGrantStore, sesame_grant_store, SESAME, GRANT_STORE, GObject)

/* @dir: where grants.json lives, normally $XDG_DATA_HOME/sesame */
SesameGrantStore  *sesame_grant_store_new    (const char       *dir);
/* As sesame_account_store_load(): a damaged file is set aside and reported. */
gboolean           sesame_grant_store_load   (SesameGrantStore *self,
                                              GError          **error);

/* TRUE when the person granted @caller (its kind and id) @account for
 * @scopes. */
gboolean           sesame_grant_store_covers (SesameGrantStore   *self,
                                              SesameCaller       *caller,
                                              const char         *account,
                                              const char * const *scopes);
/* The person allowed: the grant now covers @scopes too. */
void               sesame_grant_store_allow  (SesameGrantStore   *self,
                                              SesameCaller       *caller,
                                              const char         *account,
                                              const char * const *scopes);
/* A token was handed out: last-used is now (a host program gets a grant
 * record the first time, so the person sees who used what). */
void               sesame_grant_store_touch  (SesameGrantStore   *self,
                                              SesameCaller       *caller,
                                              const char         *account,
                                              const char * const *scopes);
/* The grant of @caller (its kind and id) for @account that the person gave,
 * or NULL. */
const SesameGrant *sesame_grant_store_lookup (SesameGrantStore *self,
                                              SesameCaller     *caller,
                                              const char       *account);
/* Whether the token just handed to @caller carried no more than it asked
 * (DESIGN.md, ListGrants `narrowed`). */
void               sesame_grant_store_set_narrowed (SesameGrantStore *self,
                                                    SesameCaller     *caller,
                                                    const char       *account,
                                                    gboolean          narrowed);
/* Grants are keyed by kind and app id; this withdraws @app_id's grants of
 * every kind, as RevokeGrant names none. */
gboolean           sesame_grant_store_revoke (SesameGrantStore   *self,
                                              const char         *app_id,
                                              const char         *account);
void               sesame_grant_store_forget_account (SesameGrantStore *self,
                                                      const char       *account);
/* Every grant (const SesameGrant *), oldest first. */
GPtrArray         *sesame_grant_store_list   (SesameGrantStore   *self);

/* Completes once every change so far is on disk. */
void     sesame_grant_store_save_async  (SesameGrantStore    *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean sesame_grant_store_save_finish (SesameGrantStore  *self,
                                         GAsyncResult      *result,
                                         GError           **error);

/* Writes what is not on disk yet, now: for shutdown. */
void sesame_grant_store_flush (SesameGrantStore *self);

G_END_DECLS

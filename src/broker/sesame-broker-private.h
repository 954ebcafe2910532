/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-broker-private.h: the broker's state and what its rooms share */
#pragma once

#include "sesame-access-control.h"
#include "sesame-account-keeper.h"
#include "sesame-account-object.h"
#include "sesame-account-store.h"
#include "sesame-agent-manager.h"
#include "sesame-broker.h"
#include "sesame-bus-names.h"
#include "sesame-dbus-generated.h"
#include "sesame-goa-face.h"
#include "sesame-grant-store.h"
#include "sesame-provider-registry.h"
#include "sesame-sign-in-service.h"
#include "sesame-notifier.h"
#include "sesame-warden.h"

G_BEGIN_DECLS

struct _SesameBroker
{
  GObject                   parent_instance;

  GDBusConnection          *connection;
  SesameProviderRegistry   *providers;
  SesameOAuthClient        *client;
  SesameAccountStore       *store;
  SesameSecretStore        *secrets;
  SesameAgentManager       *agents;
  SesameGrantStore         *grants;
  SesameAccessControl      *access;
  SesameSignInService      *sign_ins;
  SesameNotifier           *notifier;
  SesameWarden             *warden;
  GSettings                *settings;     /* NULL when the schema is not installed */

  guint                     manager_id;   /* ObjectManager at SESAME_BROKER_PATH */
  guint                     subtree_id;   /* every account */
  SesameBroker1            *iface;
  GHashTable               *objects;      /* account id → SesameAccountObject */
  GHashTable               *devices;      /* request id → SesameDeviceSignIn */
  guint                     next_device;
  GHashTable               *adding;       /* ids whose secret is stored, metadata not yet */
  GCancellable             *reconciling;
  SesameGoaFace            *goa;          /* org.gnome.OnlineAccounts (goa-compatible) */
};

/* A Broker1 method call waiting on an asynchronous step that needs no
 * more state than this. It holds no reference on the broker, which
 * outlives the main loop that completes it: a pending call must not keep
 * the broker from its dispose at exit. */
typedef struct {
  SesameBroker          *self;
  GDBusMethodInvocation *invocation;
  SesameProvider        *provider;      /* the one it is about, or NULL */
} SesameBrokerCall;

SesameBrokerCall *sesame_broker_call_new  (SesameBroker          *self,
                                           GDBusMethodInvocation *invocation,
                                           SesameProvider        *provider);
void              sesame_broker_call_free (SesameBrokerCall      *call);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SesameBrokerCall, sesame_broker_call_free)

/* sesame-broker-accounts.c: exporting, storing and forgetting accounts */
void                 sesame_broker_export_stored_accounts (SesameBroker        *self);
void                 sesame_broker_reconcile              (SesameBroker        *self);
void                 sesame_broker_account_keeper_init    (SesameAccountKeeperInterface *iface);
/* Stores a signed-in account; signing in again to an identity that
 * exists updates that account. */
void                 sesame_broker_store_account_async    (SesameBroker        *self,
                                                           SesameProvider      *provider,
                                                           const char          *flow,
                                                           const char          *identity,
                                                           const SesameToken   *token,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
SesameAccountObject *sesame_broker_store_account_finish   (SesameBroker        *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* sesame-broker-object-manager.c: the ObjectManager and the accounts subtree */
gboolean sesame_broker_register_object_manager (SesameBroker        *self,
                                                GError             **error);
void     sesame_broker_announce_added          (SesameBroker        *self,
                                                SesameAccountObject *object);
void     sesame_broker_announce_removed        (SesameBroker        *self,
                                                const char          *path);

/* sesame-broker-providers.c: ListProviders */
SesameProvider *sesame_broker_lookup_provider      (SesameBroker          *self,
                                                    GDBusMethodInvocation *invocation,
                                                    const char            *provider_id);
gboolean        sesame_broker_handle_list_providers (SesameBroker1         *iface,
                                                    GDBusMethodInvocation *invocation,
                                                    SesameBroker          *self);

/* sesame-broker-add-account.c: AddAccount */
gboolean sesame_broker_handle_add_account (SesameBroker1         *iface,
                                           GDBusMethodInvocation *invocation,
                                           const char            *provider_id,
                                           const char * const    *scopes,
                                           GVariant              *options,
                                           SesameBroker          *self);

/* sesame-broker-agents.c: RegisterAgent, UnregisterAgent */
gboolean sesame_broker_handle_register_agent   (SesameBroker1         *iface,
                                                GDBusMethodInvocation *invocation,
                                                const char            *path,
                                                SesameBroker          *self);
gboolean sesame_broker_handle_unregister_agent (SesameBroker1         *iface,
                                                GDBusMethodInvocation *invocation,
                                                const char            *path,
                                                SesameBroker          *self);

/* sesame-broker-grants.c: ListGrants, RevokeGrant, GrantsChanged */
gboolean sesame_broker_handle_list_grants  (SesameBroker1         *iface,
                                            GDBusMethodInvocation *invocation,
                                            SesameBroker          *self);
gboolean sesame_broker_handle_revoke_grant (SesameBroker1         *iface,
                                            GDBusMethodInvocation *invocation,
                                            const char            *app_id,
                                            const char            *account_path,
                                            SesameBroker          *self);
void     sesame_broker_on_grants_changed   (SesameBroker          *self);

/* sesame-broker-device.c: BeginDeviceSignIn, FinishDeviceSignIn, CancelDeviceSignIn */
gboolean sesame_broker_handle_begin_device_sign_in  (SesameBroker1         *iface,
                                                     GDBusMethodInvocation *invocation,
                                                     const char            *provider_id,
                                                     const char * const    *scopes,
                                                     GVariant              *options,
                                                     SesameBroker          *self);
gboolean sesame_broker_handle_finish_device_sign_in (SesameBroker1         *iface,
                                                     GDBusMethodInvocation *invocation,
                                                     const char            *request,
                                                     SesameBroker          *self);
gboolean sesame_broker_handle_cancel_device_sign_in (SesameBroker1         *iface,
                                                     GDBusMethodInvocation *invocation,
                                                     const char            *request,
                                                     SesameBroker          *self);

G_END_DECLS

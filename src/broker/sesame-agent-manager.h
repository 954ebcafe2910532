/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-agent-manager.h: the registered agent (dev.sesame.Agent1) and calls to it */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SESAME_TYPE_AGENT_MANAGER (sesame_agent_manager_get_type ())
G_DECLARE_FINAL_TYPE (SesameAgentManager, sesame_agent_manager, SESAME, AGENT_MANAGER, GObject)

SesameAgentManager *sesame_agent_manager_new (GDBusConnection *connection);

/* The newest registration wins; an agent is dropped when its name leaves. */
void     sesame_agent_manager_register   (SesameAgentManager *self,
                                          const char         *bus_name,
                                          const char         *path);
gboolean sesame_agent_manager_unregister (SesameAgentManager *self,
                                          const char         *bus_name,
                                          const char         *path);

/* A fresh id naming one request to the agent. */
char    *sesame_agent_manager_new_request_id (SesameAgentManager *self);

/* Calls @method (Authorize or ConfirmAccess) with (request_id, details) on
 * the agent, starting dev.sesame.Sesame first when none is registered
 * (NoAgent when none comes). When @cancellable fires, the agent is told
 * (Agent1.Cancel) and the call ends with Cancelled. Returns the reply. */
void      sesame_agent_manager_call_async  (SesameAgentManager  *self,
                                            const char          *method,
                                            const char          *request_id,
                                            GVariant            *details,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GVariant *sesame_agent_manager_call_finish (SesameAgentManager  *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Agent1.Cancel: the broker no longer waits for @request_id. */
void      sesame_agent_manager_cancel      (SesameAgentManager  *self,
                                            const char          *request_id);

G_END_DECLS

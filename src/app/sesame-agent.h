/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-agent.h: the broker's agent (dev.sesame.Agent1): consent pages and access questions */
#pragma once

#include <gtk/gtk.h>

#include "sesame-client.h"

G_BEGIN_DECLS

#define SESAME_AGENT_PATH "/dev/sesame/Sesame/Agent"

#define SESAME_TYPE_AGENT (sesame_agent_get_type ())
G_DECLARE_FINAL_TYPE (SesameAgent, sesame_agent, SESAME, AGENT, GObject)

/* Registers with the broker whenever it appears on the bus, and keeps
 * @application alive while a request is pending. */
SesameAgent *sesame_agent_new (GtkApplication *application,
                               SesameClient   *client);

G_END_DECLS

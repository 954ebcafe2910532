/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-application.h: the app: the broker's agent, and the accounts window */
#pragma once

#include <adwaita.h>

#include "sesame-agent.h"
#include "sesame-client.h"

G_BEGIN_DECLS

#define SESAME_APPLICATION_ID "dev.sesame.Sesame"

#define SESAME_TYPE_APPLICATION (sesame_application_get_type ())
G_DECLARE_FINAL_TYPE (SesameApplication, sesame_application, SESAME, APPLICATION, AdwApplication)

SesameApplication *sesame_application_new        (void);
SesameClient      *sesame_application_get_client (SesameApplication *self);

G_END_DECLS

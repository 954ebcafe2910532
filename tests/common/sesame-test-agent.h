/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-test-agent.h: an Agent1 for tests: the scripted person answers */
#pragma once

#include "sesame-test-env.h"

G_BEGIN_DECLS

typedef enum {
  SESAME_TEST_AGENT_SIGN_IN,      /* the person signs in; the redirect is returned */
  SESAME_TEST_AGENT_DENY,         /* the person denies consent at the provider */
  SESAME_TEST_AGENT_BROWSER,      /* the person's browser loads the redirect; "" after Cancel */
  SESAME_TEST_AGENT_CANCEL,       /* the person closes the window: Cancelled */
  SESAME_TEST_AGENT_FORGE_STATE,  /* returns the real redirect with another state */
  SESAME_TEST_AGENT_HOLD,         /* the person never finishes; Cancel ends it */
} SesameTestAgentMode;

typedef struct {
  SesameTestEnv       *env;
  guint                registration_id;
  SesameTestAgentMode  mode;
  char                *login;
  guint                n_authorize;
  guint                n_cancel;
  GVariant            *last_details;
  char                *last_cancelled;
  GDBusMethodInvocation *held;
  guint                forged_status;
  gboolean             allow;            /* the answer to ConfirmAccess */
  guint                n_confirm;
  GVariant            *last_confirm;  /* BROWSER: the listener's answer to a forged state */
} SesameTestAgent;

SesameTestAgent *sesame_test_agent_new      (SesameTestEnv   *env);
void             sesame_test_agent_register (SesameTestAgent *agent);
void             sesame_test_agent_free     (SesameTestAgent *agent);
void             sesame_test_agent_set      (SesameTestAgent     *agent,
                                             SesameTestAgentMode  mode,
                                             const char          *login);

G_END_DECLS

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
  guint                forged_status;  /* BROWSER: the listener's answer to a forged state */
  char                *listening;      /* BROWSER: where the listener listens (see the .c) */
  gboolean             allow;            /* the answer to ConfirmAccess */
  guint                n_confirm;
  GVariant            *last_confirm;
  /* TRUE: ConfirmAccess waits for sesame_test_agent_answer(); a Cancel does
   * not answer it, as when the person clicks just as the question goes. */
  gboolean             hold_confirm;
  GPtrArray           *held_confirms;  /* GDBusMethodInvocation */
  char                *last_confirm_id;
  GPtrArray           *cancelled;      /* every request id Cancel named */
} SesameTestAgent;

SesameTestAgent *sesame_test_agent_new      (SesameTestEnv   *env);
void             sesame_test_agent_register (SesameTestAgent *agent);
void             sesame_test_agent_free     (SesameTestAgent *agent);
void             sesame_test_agent_set      (SesameTestAgent     *agent,
                                             SesameTestAgentMode  mode,
                                             const char          *login);
/* Answers the held ConfirmAccess of @request_id; FALSE when none is held. */
gboolean         sesame_test_agent_answer   (SesameTestAgent     *agent,
                                             const char          *request_id,
                                             gboolean             allow);
/* Whether the broker sent Cancel for @request_id. */
gboolean         sesame_test_agent_was_cancelled (SesameTestAgent *agent,
                                                  const char      *request_id);

G_END_DECLS

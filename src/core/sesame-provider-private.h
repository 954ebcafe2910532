/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-provider-private.h: what a provider holds, shared by its object
 * (sesame-provider.c) and the reading of its definition and discovery
 * document (sesame-provider-definition.c) */
#pragma once

#include "sesame-provider.h"

G_BEGIN_DECLS

struct _SesameProvider
{
  GObject parent_instance;

  char *id;
  char *name;
  char *icon_name;
  char *issuer;
  char *authorization_endpoint;
  char *token_endpoint;
  char *revocation_endpoint;
  char *device_authorization_endpoint;
  char *userinfo_endpoint;
  char *client_id;
  char *client_secret;
  char *redirect_uri;
  char *user_agent;
  char *token_endpoint_auth_method;
  char *registration_url;
  char *manage_url;
  char *revocation_style;
  char *device_client_id;
  char *device_client_secret;

  GStrv scopes;
  GHashTable *scope_descriptions;
  GStrv default_scopes;
  GStrv flows;                 /* NULL: derived */
  GHashTable *authorization_params;
  GStrv git_hosts;             /* NULL: derived */
  gboolean template;
  JsonObject *services;        /* NULL: none described */
  GStrv identity_claims;
  GHashTable *scope_aliases;   /* scope as asked → as the provider reports it */
  GHashTable *error_aliases;   /* the provider's error code → the OAuth one */
  GStrv device_scopes;         /* NULL: device sign-in takes any scope */
  gboolean narrow_scopes;
  gboolean one_resource_per_token;
  guint refresh_token_lifetime_days;  /* 0: not said */
  guint refresh_token_idle_days;      /* 0: not said */

  gboolean discovered;
  gboolean iss_parameter_supported;
  GStrv grant_types_supported; /* from discovery; NULL when not announced */
};

/* The services a provider file may describe (DESIGN.md, Providers). */
extern const char * const sesame_provider_service_names[];

/* Frees every string member read from a definition or discovery. */
void sesame_provider_clear_strings (SesameProvider *self);

G_END_DECLS

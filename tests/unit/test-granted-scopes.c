/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-granted-scopes.c: granted scopes in the asked form, and one resource per token */
#include "config.h"

#include "sesame-granted-scopes.h"

#define OUTLOOK "https://outlook.office.com/IMAP.AccessAsUser.All"
#define GRAPH "https://graph.microsoft.com/Files.ReadWrite"

static SesameProvider *
provider_new (const char *extra)
{
  g_autofree char *json = g_strdup_printf ("{\"id\": \"p\", \"authorization-endpoint\":"
                                           " \"https://id.example/a\", \"token-endpoint\":"
                                           " \"https://id.example/t\" %s}", extra);
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;
  SesameProvider *provider = sesame_provider_new_from_json (json_node_get_object (node), &error);

  g_assert_no_error (error);
  return provider;
}

static void
assert_strv (char               **actual,
             const char * const  *expected)
{
  g_auto(GStrv) owned = actual;

  g_assert_true (g_strv_equal ((const char * const *) owned, expected));
}

static void
test_resource (void)
{
  static const struct {
    const char *scope;
    const char *resource;
  } cases[] = {
    { OUTLOOK, "https://outlook.office.com" },
    { "https://mail.google.com/", "https://mail.google.com" },
    { "https://id.example:8443/x", "https://id.example:8443" },
    { "openid", NULL },
    { "read:user", NULL },
    { "api", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *resource = sesame_scope_dup_resource (cases[i].scope);

      g_assert_cmpstr (resource, ==, cases[i].resource);
    }
  g_assert_false (sesame_scopes_span_resources ((const char *[]) { "openid", OUTLOOK, NULL }));
  g_assert_true (sesame_scopes_span_resources ((const char *[]) { OUTLOOK, "email", GRAPH, NULL }));
  g_assert_false (sesame_scopes_span_resources (NULL));
}

/* RFC 6749 §5.1: no echo grants what was asked; an echo is read in the
 * asked form, and OpenID's scopes left out count only as DESIGN.md says. */
static void
test_granted (void)
{
  g_autoptr(SesameProvider) provider =
    provider_new (", \"scope-aliases\": {\"email\": \"https://id.example/auth/email\"}");
  const char * const asked[] = { "openid", "email", "offline_access", "api", NULL };

  assert_strv (sesame_granted_scopes (provider, asked, NULL, FALSE, FALSE, FALSE), asked);
  assert_strv (sesame_granted_scopes (provider, NULL, NULL, FALSE, FALSE, FALSE),
               (const char *[]) { NULL });
  assert_strv (sesame_granted_scopes (provider, asked,
                                      (const char *[]) { "https://id.example/auth/email", NULL },
                                      FALSE, FALSE, FALSE),
               (const char *[]) { "email", NULL });
  assert_strv (sesame_granted_scopes (provider, asked, (const char *[]) { "api", NULL },
                                      TRUE, TRUE, FALSE),
               (const char *[]) { "api", "openid", "email", "offline_access", NULL });
  /* a refresh: the grant keeps openid and offline_access */
  assert_strv (sesame_granted_scopes (provider, asked, (const char *[]) { "api", NULL },
                                      FALSE, FALSE, TRUE),
               (const char *[]) { "api", "openid", "email", "offline_access", NULL });
  /* not one-resource-per-token: another resource left out is not granted */
  assert_strv (sesame_granted_scopes (provider, (const char *[]) { OUTLOOK, GRAPH, NULL },
                                      (const char *[]) { OUTLOOK, NULL }, FALSE, FALSE, FALSE),
               (const char *[]) { OUTLOOK, NULL });
}

static void
test_one_resource (void)
{
  g_autoptr(SesameProvider) plain = provider_new ("");
  g_autoptr(SesameProvider) provider =
    provider_new (", \"one-resource-per-token\": true, \"default-scopes\": [\"openid\", \"" OUTLOOK "\"]");
  const char * const both[] = { "openid", GRAPH, OUTLOOK, "offline_access", NULL };
  const char * const graph_only[] = { "openid", GRAPH, NULL };

  g_assert_null (sesame_scopes_of_one_resource (plain, both));
  g_assert_null (sesame_scopes_of_one_resource (provider, NULL));
  /* the resource of the first default URL scope */
  assert_strv (sesame_scopes_of_one_resource (provider, both),
               (const char *[]) { "openid", OUTLOOK, "offline_access", NULL });
  /* else that of the first URL scope asked */
  assert_strv (sesame_scopes_of_one_resource (provider, graph_only), graph_only);
  assert_strv (sesame_scopes_of_one_resource (provider, (const char *[]) { "openid", NULL }),
               (const char *[]) { "openid", NULL });
  /* the other resources asked count as granted */
  assert_strv (sesame_granted_scopes (provider, both, (const char *[]) { OUTLOOK, NULL },
                                      TRUE, TRUE, FALSE),
               (const char *[]) { OUTLOOK, "openid", GRAPH, "offline_access", NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/granted-scopes/resource", test_resource);
  g_test_add_func ("/granted-scopes/granted", test_granted);
  g_test_add_func ("/granted-scopes/one-resource", test_one_resource);

  return g_test_run ();
}

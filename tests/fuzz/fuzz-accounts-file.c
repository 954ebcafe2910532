/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-accounts-file.c: accounts.json, read by the account store at start */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-account-store.h"
#include "sesame-error.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static const char * const goa_services[] = { "mail", "calendar", "contacts" };

/* Everything the broker exports of an account must be there, and what the
 * store writes back must read the same. */
static void
check_account (SesameAccount *account)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(SesameAccount) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sesame_account_id_is_valid (sesame_account_get_id (account)));
  g_assert_nonnull (sesame_account_get_provider (account));
  g_assert_nonnull (sesame_account_get_provider_name (account));
  g_assert_nonnull (sesame_account_get_identity (account));
  g_assert_nonnull (sesame_account_get_flow (account));
  g_assert_nonnull (sesame_account_get_scopes (account));
  g_assert_nonnull (sesame_account_get_attention_reason (account));

  object = sesame_account_to_json (account);
  again = sesame_account_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sesame_account_get_id (again), ==, sesame_account_get_id (account));
  g_assert_cmpstr (sesame_account_get_identity (again), ==, sesame_account_get_identity (account));
  g_assert_cmpint (sesame_account_get_expires_at (again), ==,
                   sesame_account_get_expires_at (account));
  g_assert_true (g_strv_equal (sesame_account_get_scopes (again),
                               sesame_account_get_scopes (account)));
  for (guint i = 0; i < G_N_ELEMENTS (goa_services); i++)
    g_assert_cmpint (sesame_account_get_goa_disabled (again, goa_services[i]), ==,
                     sesame_account_get_goa_disabled (account, goa_services[i]));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_write_file ("accounts.json", data, size);
  g_autoptr(SesameAccountStore) store = sesame_account_store_new (fuzz_get_dir ());
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *id = NULL;

  if (!sesame_account_store_load (store, &error))
    {
      g_assert (error != NULL);
      /* A damaged file is kept aside, never silently replaced. */
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  accounts = sesame_account_store_list (store);
  for (guint i = 0; i < accounts->len; i++)
    check_account (accounts->pdata[i]);

  /* The store stays usable: a new account gets a new id, and is written. */
  id = sesame_account_store_new_id (store, "fuzz");
  g_assert_true (sesame_account_id_is_valid (id));
  g_assert_null (sesame_account_store_lookup (store, id));
  if (accounts->len > 0)
    sesame_account_set_attention (accounts->pdata[0], "Sign in again.");
  sesame_account_store_flush (store);
  return 0;
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-grants-file.c: grants.json, read by the grant store at start */
#include "config.h"

#include "fuzz-common.h"
#include "sesame-error.h"
#include "sesame-grant-store.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *path = fuzz_write_file ("grants.json", data, size);
  g_autoptr(SesameGrantStore) store = sesame_grant_store_new (fuzz_get_dir ());
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) grants = NULL;

  if (!sesame_grant_store_load (store, &error))
    {
      g_assert (error != NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  /* ListGrants puts every field on the bus as a string. */
  grants = sesame_grant_store_list (store);
  for (guint i = 0; i < grants->len; i++)
    {
      const SesameGrant *grant = grants->pdata[i];

      g_assert_nonnull (grant->app_id);
      g_assert_nonnull (grant->app_name);
      g_assert_nonnull (grant->kind);
      g_assert_nonnull (grant->account);
      g_assert_nonnull (grant->scopes);
      for (guint j = 0; grant->scopes[j] != NULL; j++)
        g_assert_true (g_utf8_validate (grant->scopes[j], -1, NULL));
    }

  /* Changing one writes the whole file back; it must read the same. */
  if (grants->len > 0)
    {
      const SesameGrant *first = grants->pdata[0];
      g_autofree char *app_id = g_strdup (first->app_id);
      g_autofree char *account = g_strdup (first->account);
      g_autoptr(SesameGrantStore) again = NULL;
      g_autoptr(GPtrArray) left = NULL;
      guint n = grants->len;

      g_clear_pointer (&grants, g_ptr_array_unref);
      g_assert_true (sesame_grant_store_revoke (store, app_id, account));
      sesame_grant_store_flush (store);
      again = sesame_grant_store_new (fuzz_get_dir ());
      g_assert_true (sesame_grant_store_load (again, &error));
      g_assert_no_error (error);
      left = sesame_grant_store_list (again);
      g_assert_cmpuint (left->len, <, n);
    }
  return 0;
}

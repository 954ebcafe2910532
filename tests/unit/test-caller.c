/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caller.c: naming host programs after their desktop files */
#include "config.h"

#include <glib/gstdio.h>

#include "sesame-caller.h"

static char *
write_desktop (const char *dir,
               const char *id,
               const char *name,
               const char *exec)
{
  g_autofree char *file = g_strconcat (id, ".desktop", NULL);
  char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=%s\n"
                                               "Exec=%s %%U\n", name, exec);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_one_match_names_the_program (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sesame-caller-XXXXXX", NULL);
  g_autofree char *program = g_find_program_in_path ("sh");
  g_autofree char *real = realpath (program, NULL);
  g_autofree char *other = write_desktop (dir, "org.example.Other", "Other", "/nonexistent/other");
  g_autofree char *mail = write_desktop (dir, "org.example.Mail", "Mail", "sh");
  const char *dirs[] = { dir, NULL };
  g_autofree char *name = NULL;
  g_autofree char *id = sesame_caller_find_desktop_file (real, dirs, &name);

  g_assert_cmpstr (id, ==, "org.example.Mail");
  g_assert_cmpstr (name, ==, "Mail");
  g_unlink (other);
  g_unlink (mail);
  g_rmdir (dir);
}

static void
test_two_matches_name_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sesame-caller-XXXXXX", NULL);
  g_autofree char *program = g_find_program_in_path ("sh");
  g_autofree char *real = realpath (program, NULL);
  g_autofree char *one = write_desktop (dir, "org.example.One", "One", "sh");
  g_autofree char *two = write_desktop (dir, "org.example.Two", "Two", program);
  const char *dirs[] = { dir, NULL };
  g_autofree char *name = NULL;
  g_autofree char *id = sesame_caller_find_desktop_file (real, dirs, &name);

  /* Which of the two would be a guess: the executable's path is used. */
  g_assert_null (id);
  g_unlink (one);
  g_unlink (two);
  g_rmdir (dir);
}

static void
test_kinds (void)
{
  g_autoptr(SesameCaller) flatpak = sesame_caller_new (SESAME_CALLER_FLATPAK, "org.example.App", NULL);
  g_autoptr(SesameCaller) host = sesame_caller_new (SESAME_CALLER_HOST, "/usr/bin/mutt", "mutt");

  g_assert_true (sesame_caller_is_sandboxed (flatpak));
  g_assert_cmpstr (sesame_caller_get_kind_name (flatpak), ==, "flatpak");
  g_assert_cmpstr (sesame_caller_get_app_name (flatpak), ==, "org.example.App");
  g_assert_false (sesame_caller_is_sandboxed (host));
  g_assert_cmpstr (sesame_caller_get_kind_name (host), ==, "host");
}

static void
test_snap_labels (void)
{
  g_autoptr(SesameCaller) snap = sesame_caller_new_for_snap_label ("snap.thunderbird.thunderbird (enforce)");
  g_autoptr(SesameCaller) bare = sesame_caller_new_for_snap_label ("snap.aerc.aerc");
  g_autoptr(SesameCaller) other = sesame_caller_new_for_snap_label ("/usr/bin/man (enforce)");
  g_autoptr(SesameCaller) empty = sesame_caller_new_for_snap_label ("snap..app");
  g_autoptr(SesameCaller) unconfined = sesame_caller_new_for_snap_label ("unconfined");

  g_assert_nonnull (snap);
  g_assert_cmpstr (sesame_caller_get_app_id (snap), ==, "thunderbird");
  g_assert_cmpstr (sesame_caller_get_kind_name (snap), ==, "snap");
  g_assert_true (sesame_caller_is_sandboxed (snap));
  g_assert_nonnull (bare);
  g_assert_cmpstr (sesame_caller_get_app_id (bare), ==, "aerc");
  g_assert_null (other);
  g_assert_null (empty);
  g_assert_null (unconfined);
  g_assert_null (sesame_caller_new_for_snap_label (NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/caller/one-match-names-the-program", test_one_match_names_the_program);
  g_test_add_func ("/caller/two-matches-name-nothing", test_two_matches_name_nothing);
  g_test_add_func ("/caller/kinds", test_kinds);
  g_test_add_func ("/caller/snap-labels", test_snap_labels);
  return g_test_run ();
}

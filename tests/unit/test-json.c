/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-json.c: JSON text is one value of valid UTF-8, with JSON's escapes only */
#include "config.h"

#include "sesame-json.h"

static gboolean
loads (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gboolean loaded = sesame_json_parser_load (parser, text, -1, &error);

  g_assert_true (loaded == (error == NULL));
  return loaded;
}

static void
test_good (void)
{
  g_assert_true (loads ("{\"access_token\": \"a\\\"b\\\\c\\/d\\n\", \"n\": [1, 2.5, true, null]}"));
  g_assert_true (loads ("  [\"\\u00e9\\ud83d\\ude00\", \"}{\"]\n"));
  g_assert_true (loads ("\"just a string\""));
  g_assert_true (loads ("42"));
  g_assert_true (loads (""));
}

/* json-glib 1.6 takes the last of several values and leaks the others. */
static void
test_several_values (void)
{
  g_assert_false (loads ("{\"error\": \"x\"}{\"access_token\": \"y\"}"));
  g_assert_false (loads ("[1] {}"));
  g_assert_false (loads ("1 {}"));
  g_assert_false (loads ("{} /* a comment */"));
}

/* Each would give text that is not UTF-8 (D-Bus refuses it) or leak. */
static void
test_escapes (void)
{
  g_assert_false (loads ("[\"\\222\"]"));
  g_assert_false (loads ("[\"\\x41\"]"));
  g_assert_false (loads ("[\"\\ud8\"]"));
  g_assert_false (loads ("[\"\\ud800\"]"));
  g_assert_false (loads ("[\"\\udc00\"]"));
  g_assert_false (loads ("[\"\\ud800\\ud800\"]"));
  g_assert_false (loads ("{\"a\": \"\\ud800\\ud800\",}"));
}

/* json-glib leaks on most text it refuses, and recurses as deep as it goes:
 * only strict JSON reaches it. */
static void
test_strict (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);

  g_assert_true (loads ("[-0.5e+3, 0, 10, 1E2, \"\\t\", false]"));
  g_assert_false (loads ("{\"a\" 1}"));
  g_assert_false (loads ("{\"a\": 1,}"));
  g_assert_false (loads ("[01]"));
  g_assert_false (loads ("[1.]"));
  g_assert_false (loads ("['single']"));
  g_assert_false (loads ("[/[/[[]]]]"));
  g_assert_false (loads ("{\"error\"/\"/:2}"));
  g_assert_false (loads ("[\"a\tb\"]"));
  g_assert_false (loads ("[truth]"));
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_false (loads (deep->str));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/good", test_good);
  g_test_add_func ("/json/several-values", test_several_values);
  g_test_add_func ("/json/escapes", test_escapes);
  g_test_add_func ("/json/strict", test_strict);
  return g_test_run ();
}

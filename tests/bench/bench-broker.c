/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-broker.c: prints the broker's figures against DESIGN.md's targets:
 * cached GetAccessToken latency beside a minimal GDBus service and Ping,
 * start time to the bus name and resident memory with 1,000 accounts */
#include "config.h"

#include <signal.h>

#include "sesame-bus-names.h"
#include "sesame-test-agent.h"
#include "sesame-test-env.h"

#define BLOCKS 30
#define CALLS_PER_BLOCK 200
#define N_ACCOUNTS 1000

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

typedef struct {
  const char *label;
  const char *bus_name;
  const char *path;
  const char *interface;
  const char *method;
  gboolean    with_scopes;
  GArray     *times;       /* gint64 ns */
} Series;

static void
run_block (SesameTestEnv *env,
           Series        *series)
{
  const char *none[] = { NULL };

  for (guint i = 0; i < CALLS_PER_BLOCK; i++)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      reply = g_dbus_connection_call_sync (env->connection, series->bus_name, series->path,
                                           series->interface, series->method,
                                           series->with_scopes ? g_variant_new ("(^as)", none) : NULL,
                                           NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_no_error (error);
      elapsed = (g_get_monotonic_time () - start) * 1000;
      g_array_append_val (series->times, elapsed);
    }
}

static double
percentile (GArray *times,
            double  fraction)
{
  g_array_sort (times, compare_times);
  return g_array_index (times, gint64, (guint) (fraction * (times->len - 1))) / 1000.0;
}

static char *
add_account (SesameTestEnv *env)
{
  g_autoptr(GError) error = NULL;
  char *path = sesame_test_env_add_account (env, "testidp", NULL, NULL, &error);

  g_assert_no_error (error);
  return path;
}

static void
bench_latency (SesameTestEnv *env,
               const char    *account)
{
  g_autofree char *service = g_build_filename (g_getenv ("SESAME_BUILD_DIR"), "tests", "bench",
                                               "bench-constant-service", NULL);
  g_autoptr(GSubprocess) constant = NULL;
  g_autoptr(GError) error = NULL;
  Series series[] = {
    { "broker GetAccessToken (cached)", SESAME_BROKER_BUS_NAME, account,
      SESAME_ACCOUNT_IFACE, "GetAccessToken", TRUE, NULL },
    { "minimal GDBus service (constant)", "dev.sesame.BenchConstant", "/dev/sesame/BenchConstant",
      "dev.sesame.BenchConstant", "GetAccessToken", TRUE, NULL },
    { "broker Peer.Ping", SESAME_BROKER_BUS_NAME, SESAME_BROKER_PATH,
      "org.freedesktop.DBus.Peer", "Ping", FALSE, NULL },
  };
  double medians[G_N_ELEMENTS (series)];

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", env->bus_address, TRUE);
  constant = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, service, NULL);
  g_assert_no_error (error);
  g_usleep (300 * 1000);

  for (guint s = 0; s < G_N_ELEMENTS (series); s++)
    {
      series[s].times = g_array_new (FALSE, FALSE, sizeof (gint64));
      run_block (env, &series[s]);   /* warm-up, not counted */
      g_array_set_size (series[s].times, 0);
    }
  /* Alternating blocks, so a slower moment of the machine hits all alike. */
  for (guint block = 0; block < BLOCKS; block++)
    for (guint s = 0; s < G_N_ELEMENTS (series); s++)
      run_block (env, &series[s]);

  g_print ("Latency, %u calls each, alternating blocks of %u (microseconds):\n",
           BLOCKS * CALLS_PER_BLOCK, CALLS_PER_BLOCK);
  for (guint s = 0; s < G_N_ELEMENTS (series); s++)
    {
      medians[s] = percentile (series[s].times, 0.5);
      g_print ("  %-36s median %7.1f   p99 %7.1f\n", series[s].label, medians[s],
               percentile (series[s].times, 0.99));
      g_array_unref (series[s].times);
    }
  g_print ("  GetAccessToken / minimal service: %.2f× (target ≤ 1.25×)\n", medians[0] / medians[1]);
  g_print ("  GetAccessToken / Ping:            %.2f×\n", medians[0] / medians[2]);
  g_print ("  minimal service / Ping:           %.2f×\n", medians[1] / medians[2]);
  g_subprocess_send_signal (constant, SIGTERM);
  g_subprocess_wait (constant, NULL, NULL);
}

/* A field of /proc/PID/smaps_rollup, in KiB. */
static gint64
memory_kib (GSubprocess *process,
            const char  *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/smaps_rollup",
                                           g_subprocess_get_identifier (process));
  g_autofree char *rollup = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *line;

  g_assert_true (g_file_get_contents (path, &rollup, NULL, NULL));
  line = strstr (rollup, key);
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

/* Resident memory counts every page of the shared libraries it touched,
 * which the session's other GNOME processes share; proportional (PSS) and
 * private memory say what this process adds. */
static void
print_memory (GSubprocess *process,
              const char  *when)
{
  gint64 private = memory_kib (process, "Private_Clean") + memory_kib (process, "Private_Dirty");

  g_print ("With %u accounts, %s: resident memory %.1f MB (target < 10 MB); proportional "
           "%.1f MB, private %.1f MB, of which heap and other anonymous memory %.1f MB\n",
           N_ACCOUNTS, when, memory_kib (process, "Rss") / 1024.0,
           memory_kib (process, "Pss") / 1024.0,
           private / 1024.0, memory_kib (process, "Anonymous") / 1024.0);
}

static void
bench_start (SesameTestEnv *env)
{
  gint64 best = G_MAXINT64, total = 0;
  const guint runs = 5;

  sesame_test_env_write_accounts (env, N_ACCOUNTS);
  for (guint i = 0; i < runs; i++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      sesame_test_env_start_broker (env);
      elapsed = g_get_monotonic_time () - start;
      best = MIN (best, elapsed);
      total += elapsed;
      if (i == runs - 1)
        {
          g_autoptr(GVariant) reply = NULL;
          g_autoptr(GError) error = NULL;

          print_memory (env->broker, "once started");
          /* And once it has served a listing of every account: GDBus builds
           * the whole answer at once, and the heap keeps its high-water mark. */
          reply = sesame_test_env_call (env, SESAME_BROKER_PATH,
                                        "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                        NULL, NULL, &error);
          g_assert_no_error (error);
          print_memory (env->broker, "after listing them all");
        }
      sesame_test_env_stop_broker (env);
    }
  g_print ("With %u accounts: start to bus name owned: best %.1f ms, mean %.1f ms over %u runs "
           "(target < 50 ms; includes process spawn and the test's polling)\n",
           N_ACCOUNTS, best / 1000.0, total / 1000.0 / runs, runs);
}

int
main (int    argc,
      char **argv)
{
  SesameTestEnv *env;
  SesameTestAgent *agent;
  g_autofree char *account = NULL;

  g_test_init (&argc, &argv, NULL);
  env = sesame_test_env_new (3600);
  sesame_test_env_start_broker (env);
  agent = sesame_test_agent_new (env);
  sesame_test_agent_register (agent);
  account = add_account (env);

  bench_latency (env, account);
  sesame_test_agent_free (agent);
  sesame_test_env_stop_broker (env);
  bench_start (env);
  sesame_test_env_free (env);
  return 0;
}

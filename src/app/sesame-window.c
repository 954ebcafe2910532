/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-window.c: the main window: every account, and one account's page */
#include "config.h"

#include <glib/gi18n.h>

#include "sesame-account-page.h"
#include "sesame-account-row.h"
#include "sesame-add-account-dialog.h"
#include "sesame-window.h"

struct _SesameWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toasts;
  AdwLeaflet *leaflet;
  GtkStack *stack;
  AdwStatusPage *failed_page;
  GtkListView *list_view;
  SesameAccountPage *account_page;

  SesameClient *client;
  GHashTable *bound_items;   /* the list items showing an account now */
};

G_DEFINE_FINAL_TYPE (SesameWindow, sesame_window, ADW_TYPE_APPLICATION_WINDOW)

void
sesame_window_add_toast (SesameWindow *self,
                         const char   *message)
{
  g_return_if_fail (SESAME_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

static void
update_stack (SesameWindow *self)
{
  GListModel *accounts = sesame_client_get_accounts (self->client);

  switch (sesame_client_get_state (self->client))
    {
    case SESAME_CLIENT_CONNECTING:
      gtk_stack_set_visible_child_name (self->stack, "connecting");
      break;
    case SESAME_CLIENT_FAILED:
      adw_status_page_set_description (self->failed_page,
                                       sesame_client_get_error_message (self->client));
      gtk_stack_set_visible_child_name (self->stack, "failed");
      break;
    case SESAME_CLIENT_READY:
    default:
      gtk_stack_set_visible_child_name (self->stack, g_list_model_get_n_items (accounts) > 0
                                                     ? "accounts" : "empty");
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-account",
                                 sesame_client_get_state (self->client) == SESAME_CLIENT_READY);
}

static void
show_accounts (SesameWindow *self)
{
  adw_leaflet_set_visible_child_name (self->leaflet, "accounts");
}

/* The page of an account that went away (removed here or elsewhere) closes. */
static void
on_accounts_changed (SesameWindow *self)
{
  SesameAccount1 *shown = sesame_account_page_get_account (self->account_page);

  update_stack (self);
  if (shown != NULL &&
      sesame_client_lookup_account (self->client,
                                    g_dbus_proxy_get_object_path (G_DBUS_PROXY (shown))) == NULL)
    {
      show_accounts (self);
      sesame_account_page_set_account (self->account_page, self->client, NULL);
    }
}

gboolean
sesame_window_show_account (SesameWindow *self,
                            const char   *object_path)
{
  SesameAccount1 *account;

  g_return_val_if_fail (SESAME_IS_WINDOW (self), FALSE);

  account = sesame_client_lookup_account (self->client, object_path);
  if (account == NULL)
    return FALSE;
  sesame_account_page_set_account (self->account_page, self->client, account);
  adw_leaflet_set_visible_child_name (self->leaflet, "account");
  return TRUE;
}

void
sesame_window_reauthenticate_shown (SesameWindow *self)
{
  g_return_if_fail (SESAME_IS_WINDOW (self));
  gtk_widget_activate_action (GTK_WIDGET (self->account_page), "account.reauthenticate", NULL);
}

static void
on_activate (GtkListView  *list_view,
             guint         position,
             SesameWindow *self)
{
  g_autoptr(SesameAccount1) account = g_list_model_get_item (sesame_client_get_accounts (self->client),
                                                              position);

  if (account != NULL)
    sesame_window_show_account (self, g_dbus_proxy_get_object_path (G_DBUS_PROXY (account)));
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           SesameWindow             *self)
{
  gtk_list_item_set_child (item, sesame_account_row_new ());
}

static void
bind_item (SesameWindow *self,
           GtkListItem  *item)
{
  SesameAccount1 *account = gtk_list_item_get_item (item);
  SesameProviderInfo *provider = sesame_client_lookup_provider (self->client,
                                                                sesame_account1_get_provider (account));

  sesame_account_row_bind (SESAME_ACCOUNT_ROW (gtk_list_item_get_child (item)), account, provider);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          SesameWindow             *self)
{
  bind_item (self, item);
  g_hash_table_add (self->bound_items, item);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            SesameWindow             *self)
{
  g_hash_table_remove (self->bound_items, item);
  sesame_account_row_bind (SESAME_ACCOUNT_ROW (gtk_list_item_get_child (item)), NULL, NULL);
}

/* Provider icons arrive after the accounts: the rows shown take theirs in
 * place (a new factory would make the list view build every row again). */
static void
rebind_rows (SesameWindow *self)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound_items);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    bind_item (self, item);
}

static void
on_account_added (SesameAddAccountDialog *dialog,
                  const char             *object_path,
                  const char             *message,
                  SesameWindow           *self)
{
  sesame_window_add_toast (self, message);
  sesame_window_show_account (self, object_path);
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SesameWindow *self = SESAME_WINDOW (widget);
  SesameAddAccountDialog *dialog = sesame_add_account_dialog_new (GTK_WINDOW (self), self->client);

  g_signal_connect_object (dialog, "added", G_CALLBACK (on_account_added), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_accounts_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_accounts (SESAME_WINDOW (widget));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  sesame_client_retry (SESAME_WINDOW (widget)->client);
}

static void
on_page_toast (SesameAccountPage *page,
               const char        *message,
               SesameWindow      *self)
{
  sesame_window_add_toast (self, message);
}

static void
sesame_window_dispose (GObject *object)
{
  SesameWindow *self = SESAME_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SESAME_TYPE_WINDOW);
  g_clear_object (&self->client);
  g_clear_pointer (&self->bound_items, g_hash_table_unref);

  G_OBJECT_CLASS (sesame_window_parent_class)->dispose (object);
}

static void
sesame_window_class_init (SesameWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sesame_window_dispose;

  g_type_ensure (SESAME_TYPE_ACCOUNT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/sesame/Sesame/sesame-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, SesameWindow, account_page);

  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "win.show-accounts", NULL, show_accounts_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-account", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "win.show-accounts", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
sesame_window_init (SesameWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bound_items = g_hash_table_new (NULL, NULL);
  g_signal_connect_object (self->account_page, "toast", G_CALLBACK (on_page_toast), self, 0);
}

SesameWindow *
sesame_window_new (GtkApplication *application,
                   SesameClient   *client)
{
  SesameWindow *self = g_object_new (SESAME_TYPE_WINDOW, "application", application, NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GListModel *accounts = sesame_client_get_accounts (client);
  g_autoptr(GtkNoSelection) selection = NULL;

  self->client = g_object_ref (client);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (g_object_ref (accounts));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_object (sesame_client_get_providers (client), "items-changed",
                           G_CALLBACK (rebind_rows), self, G_CONNECT_SWAPPED);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_activate), self);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (on_accounts_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (client, "notify::state", G_CALLBACK (update_stack), self,
                           G_CONNECT_SWAPPED);
  update_stack (self);
  return self;
}

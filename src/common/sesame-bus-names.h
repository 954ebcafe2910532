/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sesame-bus-names.h: the bus names, object paths and interfaces of
 * DESIGN.md, written once for the broker, the app and sesamectl */
#pragma once

#define SESAME_BROKER_BUS_NAME "dev.sesame.Sesame.Broker"
#define SESAME_APP_BUS_NAME "dev.sesame.Sesame"
#define SESAME_BROKER_PATH "/dev/sesame/Broker"
#define SESAME_ACCOUNTS_PATH SESAME_BROKER_PATH "/accounts/"
#define SESAME_BROKER_IFACE "dev.sesame.Broker1"
#define SESAME_ACCOUNT_IFACE "dev.sesame.Account1"
#define SESAME_AGENT_IFACE "dev.sesame.Agent1"

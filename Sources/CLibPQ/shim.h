#ifndef TRANSACT_CLIBPQ_SHIM_H
#define TRANSACT_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif

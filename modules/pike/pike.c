/*
 * pike.c: the pike module's exports.  pike_check_req() counts the
 * request against its source IP and is false for a source sending more
 * than reqs_density_per_unit requests per sampling_time_unit seconds;
 * the script drops those.  A blocked source is let through again once it
 * has been calm for remove_latency seconds.  The table is shared by
 * every process (pike_table.c); the timer process unblocks and forgets
 * sources.
 */
#include <stdint.h>

#include "core/timer.h"
#include "lib/log.h"
#include "lib/stats.h"
#include "modules/pike/pike_table.h"
#include "parser/msg_parser.h"
#include "script/mi.h"
#include "script/sr_module.h"

#define PIKE_ROUTES (ROUTE_REQUEST | ROUTE_FAILURE | ROUTE_BRANCH)

static unsigned int sampling_time_unit = 2;	/* s */
static unsigned int reqs_density_per_unit = 30;
static unsigned int remove_latency = 120;	/* s */
static unsigned int max_sources = 4096;

static struct pike_limits limits;
static struct stat_var *st_refused, *st_untracked, *st_blocks;

static void
log_unblocked(const struct pike_info *in, void *arg)
{
	char ip[IP_ADDR_MAX_STR];

	(void)ip_addr_to_str(&in->ip, ip, sizeof(ip));
	LM_NOTICE("pike: unblocking %s: calm for %llu s after %llu s "
	    "blocked (%llu requests refused)", ip, in->calm_ms / 1000,
	    in->blocked_ms / 1000, in->refused);
}

/*
 * pike_check_req(): true (1) when the source of <msg> is under the limit,
 * false (-1) when it is over it or still blocked.  Any routing process.
 */
static int
w_pike_check_req(struct sip_msg *msg, void *p1, void *p2)
{
	char ip[IP_ADDR_MAX_STR];
	struct pike_info in;

	switch (pike_table_hit(&msg->rcv.src_ip, &limits, timer_now_ms(),
	    &in)) {
	case PIKE_OK:
		return CMD_TRUE;
	case PIKE_UNBLOCKED:
		log_unblocked(&in, NULL);
		return CMD_TRUE;
	case PIKE_UNTRACKED:
		stats_add(st_untracked, 1);
		return CMD_TRUE;
	case PIKE_NEW_BLOCK:
		stats_add(st_blocks, 1);
		(void)ip_addr_to_str(&msg->rcv.src_ip, ip, sizeof(ip));
		LM_NOTICE("pike: blocking %s: %u requests in %u s, over "
		    "reqs_density_per_unit %u; its requests are refused "
		    "until it has been calm for remove_latency (%u s)", ip,
		    in.rate, sampling_time_unit, reqs_density_per_unit,
		    remove_latency);
		break;
	case PIKE_BLOCKED:
		break;
	}
	stats_add(st_refused, 1);
	return CMD_FALSE;
}

static void
pike_timer(unsigned int ticks, void *param)
{
	pike_table_sweep(&limits, timer_now_ms(), log_unblocked, NULL);
}

static void
mi_line(const struct pike_info *in, void *arg)
{
	char ip[IP_ADDR_MAX_STR];

	(void)ip_addr_to_str(&in->ip, ip, sizeof(ip));
	(void)mi_reply_printf(arg, "%s rate=%u refused=%llu blocked_s=%llu "
	    "calm_s=%llu\n", ip, in->rate, in->refused, in->blocked_ms / 1000,
	    in->calm_ms / 1000);
}

/* pike_list: one line per blocked source. */
static int
mi_pike_list(int argc, const str *argv, struct mi_reply *r)
{
	if (argc != 0) {
		mi_reply_error(r, 400, "pike_list takes no argument");
		return 0;
	}
	pike_table_blocked(&limits, timer_now_ms(), mi_line, r);
	return 0;
}

static int
mod_init(void)
{
	if (sampling_time_unit == 0 || reqs_density_per_unit == 0
	    || remove_latency == 0) {
		LM_ERR("pike: sampling_time_unit, reqs_density_per_unit and "
		    "remove_latency must be at least 1");
		return -1;
	}
	if (max_sources < PIKE_WAYS || max_sources > (1u << 24)) {
		LM_ERR("pike: max_sources must be %d..%u, not %u", PIKE_WAYS,
		    1u << 24, max_sources);
		return -1;
	}
	limits.unit_ms = 1000ULL * sampling_time_unit;
	limits.density = reqs_density_per_unit;
	limits.latency_ms = 1000ULL * remove_latency;
	pike_st_tracked = stats_register("pike", "tracked_sources");
	pike_st_blocked = stats_register("pike", "blocked_sources");
	st_blocks = stats_register("pike", "blocks");
	st_refused = stats_register("pike", "refused_requests");
	st_untracked = stats_register("pike", "untracked_requests");
	if (pike_st_tracked == NULL || pike_st_blocked == NULL
	    || st_blocks == NULL || st_refused == NULL
	    || st_untracked == NULL) {
		LM_ERR("pike: cannot register the statistics");
		return -1;
	}
	if (pike_table_init(max_sources) == -1) {
		LM_ERR("pike: not enough shm for max_sources %u; raise -m or "
		    "lower max_sources", max_sources);
		return -1;
	}
	if (timer_register(pike_timer, NULL, 500) == -1) {
		LM_ERR("pike: cannot register the timer");
		return -1;
	}
	return 0;
}

static void
mod_destroy(void)
{
	pike_table_destroy();
}

static const struct cmd_export cmds[] = {
	/* name, handler, nargs, fixup, allowed in */
	{ "pike_check_req", w_pike_check_req, 0, NULL, PIKE_ROUTES },
	{ 0 },
};

static const struct param_export params[] = {
	{ "sampling_time_unit", PARAM_UINT, &sampling_time_unit },
	{ "reqs_density_per_unit", PARAM_UINT, &reqs_density_per_unit },
	{ "remove_latency", PARAM_UINT, &remove_latency },
	{ "max_sources", PARAM_UINT, &max_sources },
	{ 0 },
};

static const struct mi_export mi_cmds[] = {
	{ "pike_list", mi_pike_list, "the source IPs pike blocks now, with "
	    "their rate" },
	{ 0 },
};

/* Protected: see modules/tm/tm.c. */
__attribute__((visibility("protected")))
const struct module_exports exports = {
	.abi = MODULE_ABI,
	.name = "pike",
	.cmds = cmds,
	.params = params,
	.mi_cmds = mi_cmds,
	.init = mod_init,
	.destroy = mod_destroy,
};

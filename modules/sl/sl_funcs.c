/*
 * sl_funcs.c: sl_send_reply() and sl_reply_error().  The reply itself is
 * built and sent by sip/reply.c; this file only turns script arguments
 * into a code and a reason.
 */
#include <stdint.h>
#include <stdlib.h>

#include "modules/sl/sl_funcs.h"
#include "script/sr_module.h"
#include "sip/reply.h"
#include "sip/sip_error.h"

/*
 * sl_send_reply(code, reason): argument 1 must be an integer 100..699 and
 * becomes that integer; argument 2 stays the reason string.  Attendant.
 */
int
sl_fixup_reply(void **param, int param_no)
{
	char *end;
	long code;

	if (param_no != 1)
		return 0;
	code = strtol(*param, &end, 10);
	if (*(char *)*param == '\0' || *end != '\0' || code < 100
	    || code > 699) {
		fix_param_error("reply code must be 100..699, not '%s'",
		    (char *)*param);
		return -1;
	}
	free(*param);
	*param = (void *)(intptr_t)code;
	return 0;
}

int
w_sl_send_reply(struct sip_msg *msg, void *code, void *reason)
{
	if (reply_send(msg, (int)(intptr_t)code, reason) == -1)
		return CMD_ERROR;	/* sip/reply.c logged why */
	return CMD_TRUE;
}

/* Reply with the code matching the last routing error of this process. */
int
w_sl_reply_error(struct sip_msg *msg, void *unused1, void *unused2)
{
	const char *reason;
	int code;

	/* tm already answered (a failed t_relay replies itself): one final
	 * reply per request, not a second stateless one */
	if (msg->msg_flags & FL_FINAL_REPLIED)
		return CMD_TRUE;
	code = sip_error_to_code(sip_last_error, &reason);
	if (reply_send(msg, code, reason) == -1)
		return CMD_ERROR;
	return CMD_TRUE;
}

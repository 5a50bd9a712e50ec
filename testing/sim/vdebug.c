// SPDX-License-Identifier: GPL-2.0-or-later
#include "vdebug.h"
#include "log.h"

#include <string.h>

/* Commands (request header byte 0). */
#define VD_CMD_OPEN		0x01
#define VD_CMD_CLOSE		0x02
#define VD_CMD_CONNECT		0x04
#define VD_CMD_DISCONNECT	0x05
#define VD_CMD_WAIT		0x09
#define VD_CMD_SIGSET		0x0a
#define VD_CMD_JTAGCLOCK	0x0f
#define VD_CMD_REGWRITE		0x15
#define VD_CMD_REGREAD		0x16

#define VD_BFM_SWDP		0x0002
#define VD_SIG_RESET		0x0008

#define VD_ERR_NONE		0x0000
#define VD_ERR_NOT_IMPL		0x0100
#define VD_ERR_PARAM		0x0102
#define VD_ERR_NOT_OPEN		0x0205
#define VD_ERR_BUS_ERROR	0x0304
#define VD_ERR_NO_ACCESS	0x0306

/* Address spaces of a register transaction. */
#define VD_ASPACE_AP		0x1
#define VD_ASPACE_DP		0x2
#define VD_ASPACE_AB		0x4

#define REG_CMD_WRITE		1
#define REG_CMD_READ		2

/* Idle cycles a probe clocks after each packet before the next request. */
#define SWD_IDLE_CYCLES		2
/* The data width the BFM reports: the buffer is counted in 32-bit words. */
#define BFM_WIDTH_BITS		32

/* Request header fields (little-endian). */
#define RQ_CMD		0
#define RQ_TYPE		1
#define RQ_COUNT	2	/* "waddr": requests in a batch */
#define RQ_WBYTES	4
#define RQ_RBYTES	6
#define RQ_RWDATA	12
#define RQ_WID		22

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

void vdebug_init(struct vdebug *vd, struct swd_dp *swd, uint64_t base_hz,
		const struct vdebug_hooks *hooks)
{
	memset(vd, 0, sizeof(*vd));
	vd->swd = swd;
	vd->base_hz = base_hz;
	vd->hooks = *hooks;
	vd->divider = 1;
}

void vdebug_connect(struct vdebug *vd, vdebug_reply_fn reply, void *ctx)
{
	vd->reply = reply;
	vd->reply_ctx = ctx;
	vd->have = 0;
	vd->opened = false;
	vd->connected = false;
	vd->quit = false;
	vd->warned_silent = false;
	vd->divider = 1;
}

static void clock_cycles(struct vdebug *vd, uint64_t cycles)
{
	vd->swclk_cycles += cycles;
	vd->hooks.wire_time(vd->hooks.ctx, cycles * vd->divider * 1000000000000ull / vd->base_hz);
}

/* One packet on the wire, timed by what the DP answered. */
static enum swd_ack packet(struct vdebug *vd, bool ap, bool read, unsigned int a, uint32_t *data)
{
	enum swd_ack ack = swd_dp_transfer(vd->swd, ap, read, a, data);

	vd->transactions++;
	clock_cycles(vd, (ack == SWD_ACK_OK ? SWD_PACKET_CYCLES : SWD_NO_DATA_CYCLES) +
		SWD_IDLE_CYCLES);
	if (ack == SWD_ACK_NONE && !vd->warned_silent) {
		vd->warned_silent = true;
		sim_warn("vdebug: the SW-DP does not answer (%s)", vd->swd->silence);
	}
	return ack;
}

/* What a probe makes of a bad ACK. */
static uint32_t ack_status(enum swd_ack ack)
{
	return ack == SWD_ACK_NONE ? VD_ERR_NO_ACCESS : VD_ERR_BUS_ERROR;
}

/* A reply: header, then rbytes of data (zeros where nothing was read). */
static void send_reply(struct vdebug *vd, uint16_t rid, uint16_t awords, uint32_t status,
		uint8_t *data, size_t rbytes)
{
	uint8_t *hdr = data - VD_SHEADER_LEN;

	memset(hdr, 0, VD_SHEADER_LEN);
	put16(hdr, rid);
	put16(hdr + 2, awords);
	put32(hdr + 4, status);
	vd->bytes_out += VD_SHEADER_LEN + rbytes;
	vd->reply(vd->reply_ctx, hdr, VD_SHEADER_LEN + rbytes);
}

/* The line comes up as a DAP-level probe brings it up: JTAG-to-SWD, line reset, DPIDR. */
static void bring_up_line(struct vdebug *vd)
{
	uint32_t dpidr = 0;

	swd_dp_jtag_to_swd(vd->swd);
	clock_cycles(vd, SWD_JTAG_TO_SWD_CYCLES);
	if (packet(vd, false, true, 0x0, &dpidr) == SWD_ACK_OK)
		sim_info("vdebug: SWD connected, DPIDR 0x%08x", dpidr);
}

static uint32_t do_connect(struct vdebug *vd, const uint8_t *rq, const uint8_t *payload,
		uint16_t wbytes, uint8_t *data)
{
	char path[64] = "";

	if (wbytes)
		memcpy(path, payload, wbytes < sizeof(path) ? wbytes : sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	if (rq[RQ_TYPE] != VD_BFM_SWDP) {
		sim_warn("vdebug: transactor type %u is not served, only the SWD DP (%u, transport "
			"dapdirect_swd); JTAG is served through remote_bitbang "
			"(interface/h743sim.cfg)", rq[RQ_TYPE], VD_BFM_SWDP);
		return VD_ERR_NOT_IMPL;
	}
	put32(data, BFM_WIDTH_BITS);
	put32(data + 4, VD_BUFFER_LEN / (BFM_WIDTH_BITS / 8));
	put32(data + 8, 32);		/* address bits */
	vd->connected = true;
	sim_info("vdebug: BFM '%s' connected (SWD DP)", path);
	bring_up_line(vd);
	return VD_ERR_NONE;
}

static uint32_t do_sigset(struct vdebug *vd, uint32_t rwdata)
{
	uint16_t mask = (uint16_t)(rwdata >> 16), value = (uint16_t)rwdata;

	if (mask & VD_SIG_RESET)
		vd->hooks.reset_line(vd->hooks.ctx, !(value & VD_SIG_RESET));	/* active low */
	return VD_ERR_NONE;
}

static uint32_t do_clock(struct vdebug *vd, uint32_t divider)
{
	vd->divider = divider ? divider : 1;
	sim_info("vdebug: SWCLK %.3f MHz (divider %u)",
		(double)vd->base_hz / vd->divider / 1e6, vd->divider);
	return VD_ERR_NONE;
}

/* One request of a register batch: its header and where its data is. */
struct reg_request {
	unsigned int aspace, count, cmd, a;
	const uint8_t *wdata;
};

/* Parse the request at word *pos of the payload; false when it does not fit or is malformed. */
static bool parse_reg_request(const uint8_t *payload, size_t words, size_t *pos,
		struct reg_request *r)
{
	if (*pos + 2 > words)
		return false;
	uint64_t hdr = get64(payload + 4 * *pos);

	r->aspace = hdr & 0x7;
	r->count = (hdr >> 16) & 0x7ff;
	r->cmd = (hdr >> 30) & 0x3;
	r->a = ((uint32_t)(hdr >> 32) & 0x3) << 2;
	*pos += 2;
	if (((hdr >> 27) & 0x7) != 2 || (r->cmd != REG_CMD_READ && r->cmd != REG_CMD_WRITE))
		return false;		/* only 32-bit reads and writes */
	r->wdata = payload + 4 * *pos;
	if (r->cmd == REG_CMD_WRITE) {
		if (*pos + r->count > words)
			return false;
		*pos += r->count;
	}
	return true;
}

/*
 * Runs one request. A read without data (count 0) is still done: that is
 * how the client starts a posted AP read whose result it takes from RDBUFF.
 */
static enum swd_ack run_reg_request(struct vdebug *vd, const struct reg_request *r,
		uint8_t *data, size_t rbytes, size_t *rpos, bool *ap_written)
{
	bool read = r->cmd == REG_CMD_READ;
	bool ap = r->aspace == VD_ASPACE_AP;
	unsigned int n = read && !r->count ? 1 : r->count;
	unsigned int a = r->aspace == VD_ASPACE_AB ? 0x0 : r->a;	/* ABORT is DP 0x0 */

	for (unsigned int i = 0; i < n; i++) {
		uint32_t value = read ? 0 : get32(r->wdata + 4 * i);
		enum swd_ack ack = packet(vd, ap, read, a, &value);

		if (ack != SWD_ACK_OK)
			return ack;
		*ap_written |= ap && !read;
		if (read && r->count && *rpos + 4 <= rbytes) {
			put32(data + *rpos, value);
			*rpos += 4;
		}
	}
	return SWD_ACK_OK;
}

/*
 * The end of a batch, as a DAP-level probe ends one: a posted AP write is
 * completed by an RDBUFF read, then CTRL/STAT tells whether anything in the
 * batch failed; a sticky error is cleared through ABORT and reported as the
 * batch's status.
 */
static uint32_t finish_batch(struct vdebug *vd, uint32_t status, bool ap_written)
{
	uint32_t value = 0;

	if (status == VD_ERR_NO_ACCESS)
		return status;
	if (ap_written)
		packet(vd, false, true, DP_REG_RDBUFF, &value);
	if (packet(vd, false, true, DP_REG_CTRL_STAT, &value) != SWD_ACK_OK)
		return VD_ERR_NO_ACCESS;
	if (!(value & CS_STICKYERR))
		return status;
	value = ABORT_STKERRCLR;
	packet(vd, false, false, 0x0, &value);
	return status ? status : VD_ERR_BUS_ERROR;
}

static uint32_t do_reg_batch(struct vdebug *vd, const uint8_t *rq, const uint8_t *payload,
		uint16_t wbytes, uint8_t *data, size_t rbytes, uint16_t *awords)
{
	size_t words = wbytes / 4, pos = 0, rpos = 0;
	unsigned int count = get16(rq + RQ_COUNT);
	uint32_t status = VD_ERR_NONE;
	bool ap_written = false;

	if (!vd->connected)
		return VD_ERR_NOT_OPEN;
	vd->batches++;
	for (unsigned int i = 0; i < count && !status; i++) {
		struct reg_request r;

		if (!parse_reg_request(payload, words, &pos, &r)) {
			sim_warn("vdebug: register batch request %u of %u is malformed", i, count);
			return VD_ERR_PARAM;
		}
		enum swd_ack ack = run_reg_request(vd, &r, data, rbytes, &rpos, &ap_written);

		if (ack != SWD_ACK_OK)
			status = ack_status(ack);
	}
	status = finish_batch(vd, status, ap_written);
	if (status) {
		vd->error_batches++;
		memset(data, 0, rbytes);
	}
	*awords = (uint16_t)(rpos / 4);
	return status;
}

static void execute(struct vdebug *vd, const uint8_t *rq)
{
	static uint8_t reply[VD_REPLY_MAX];
	uint8_t *data = reply + VD_SHEADER_LEN;
	const uint8_t *payload = rq + VD_CHEADER_LEN;
	uint16_t wbytes = get16(rq + RQ_WBYTES), rbytes = get16(rq + RQ_RBYTES);
	uint16_t rid = get16(rq + RQ_WID), awords = 0;
	uint32_t rwdata = get32(rq + RQ_RWDATA), status = VD_ERR_NONE;

	memset(data, 0, rbytes);
	if (rq[RQ_CMD] != VD_CMD_OPEN && !vd->opened) {
		status = VD_ERR_NOT_OPEN;
	} else {
		switch (rq[RQ_CMD]) {
		case VD_CMD_OPEN:
			vd->opened = true;
			rid = VD_VERSION;
			break;
		case VD_CMD_CLOSE:
			vd->quit = true;
			break;
		case VD_CMD_CONNECT:
			status = do_connect(vd, rq, payload, wbytes, data);
			break;
		case VD_CMD_DISCONNECT:
			vd->connected = false;
			break;
		case VD_CMD_WAIT:
			clock_cycles(vd, rwdata);
			break;
		case VD_CMD_SIGSET:
			status = do_sigset(vd, rwdata);
			break;
		case VD_CMD_JTAGCLOCK:
			status = do_clock(vd, rwdata);
			break;
		case VD_CMD_REGWRITE:
		case VD_CMD_REGREAD:
			status = do_reg_batch(vd, rq, payload, wbytes, data, rbytes, &awords);
			break;
		default:	/* SIGGET, JTAG shifts, memories: not served */
			sim_trace("vdebug: command 0x%02x not served", rq[RQ_CMD]);
			status = VD_ERR_NOT_IMPL;
			break;
		}
	}
	send_reply(vd, rid, awords, status, data, rbytes);
}

/* How long the request in the buffer is, once its header is complete (0 before). */
static size_t request_length(struct vdebug *vd)
{
	if (vd->have < VD_CHEADER_LEN)
		return 0;
	uint16_t wbytes = get16(vd->request + RQ_WBYTES), rbytes = get16(vd->request + RQ_RBYTES);

	if (wbytes > VD_BUFFER_LEN || rbytes > VD_BUFFER_LEN) {
		sim_warn("vdebug: request of %u bytes (reply %u) is beyond the %d-byte buffer: "
			"dropping the connection", wbytes, rbytes, VD_BUFFER_LEN);
		vd->quit = true;
		return 0;
	}
	return VD_CHEADER_LEN + wbytes;
}

static bool request_complete(struct vdebug *vd)
{
	size_t len = request_length(vd);

	return len && vd->have == len;
}

void vdebug_process(struct vdebug *vd, const uint8_t *in, size_t n)
{
	size_t i = 0;

	while (i < n && !vd->quit) {
		size_t want = vd->have < VD_CHEADER_LEN ? VD_CHEADER_LEN : request_length(vd);

		if (!want)
			break;
		size_t take = want - vd->have < n - i ? want - vd->have : n - i;

		memcpy(vd->request + vd->have, in + i, take);
		vd->have += take;
		vd->bytes_in += take;
		i += take;
		if (request_complete(vd)) {
			execute(vd, vd->request);
			vd->have = 0;
		}
	}
}

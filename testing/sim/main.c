// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * h743sim: an STM32H743 that OpenOCD reaches through its remote_bitbang JTAG
 * adapter. One client at a time (another is refused at once); the chip keeps
 * its state (and keeps running) between connections, like a powered board.
 * The event loop never blocks outside ppoll(): sockets are non-blocking, the
 * replies a client leaves unread are buffered up to a limit, and SIGTERM,
 * SIGINT and SIGUSR1 are only unblocked inside the wait.
 */
#define _GNU_SOURCE
#include "listen.h"
#include "log.h"
#include "outbuf.h"
#include "persist.h"
#include "stats.h"
#include "stm32h743.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* How far the chip may run ahead before the socket is looked at again. */
#define RUNAHEAD_QUANTUM_PS (1 * PS_PER_MS)
/*
 * Wire time the chip may owe before it lives through it after a chunk of
 * input (normally every DP transaction settles it): bounds the work left for
 * a disconnect after a stream of clocks that never reaches the DP.
 */
#define WIRE_DEBT_SETTLE_PS (10 * PS_PER_MS)
/* Unread replies a client may leave before it is dropped (OpenOCD: at most 255). */
#define REPLY_BACKLOG_LIMIT (1024 * 1024)

struct options {
	const char *bind_addr;
	int port;
	const char *unix_path;
	const char *ready_file;
	const char *state_file;
	const char *stats_file;
	const char *flash_image;
	const char *export_file;
	int export_bank;
	uint64_t drop_after_bytes;
	struct flash_faults faults;
	struct chip_config chip;
};

static int saved_argc;
static char **saved_argv;
static int bound_port;

static struct stm32h743 *ctx_chip;
/* The debugger's connection (or -1), which a power loss resets before the restart. */
static int ctx_client = -1;

/* ---- signals ---------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;	/* the signal that asked, or 0 */
static volatile sig_atomic_t stats_requested;
static sigset_t handled_signals;	/* SIGTERM, SIGINT, SIGUSR1 */
static sigset_t wait_mask;		/* the mask inside ppoll(): those unblocked */

static void note_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else
		stop_requested = sig;
}

static void on_signal(int sig)
{
	note_signal(sig);
}

/*
 * The handled signals stay blocked except inside ppoll(), so none can arrive
 * between the look at the flags and the wait, and be left until the next
 * event. A restart after an injected power loss (execv) inherits the blocked
 * mask and any pending signal; the wait mask unblocks them all the same.
 */
static void setup_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&handled_signals);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&handled_signals, sigs[i]);
	sigprocmask(SIG_BLOCK, &handled_signals, &wait_mask);
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigdelset(&wait_mask, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

/*
 * ppoll() that returns for a ready socket leaves a signal that came during
 * the call pending (blocked again): take those here, without waiting.
 */
static void take_pending_signals(void)
{
	static const struct timespec no_wait = { 0, 0 };
	int sig;

	while ((sig = sigtimedwait(&handled_signals, NULL, &no_wait)) > 0)
		note_signal(sig);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: h743sim [options]\n"
		"  --port N          TCP port for remote_bitbang (default 3335; 0 = any free port)\n"
		"  --bind ADDR       address to listen on (default 127.0.0.1)\n"
		"  --unix PATH       listen on a unix socket instead of TCP (replaces only a\n"
		"                    stale socket at PATH, never another file)\n"
		"  --ready-file F    write the port number to F once listening\n"
		"  --state FILE      keep flash contents across simulator restarts; a damaged\n"
		"                    FILE, or one that could not be saved, stops it at start\n"
		"  --stats FILE      write statistics (JSON) at exit, disconnect and SIGUSR1\n"
		"  --flash-image F   program raw binary F at 0x08000000 at start-up, like a\n"
		"                    board that comes with firmware (overrides --state's flash)\n"
		"  --variant NAME    H743xI (default), H742xI, H753xI, H743xG, H742xG, H750xB\n"
		"  --fault SPEC      inject a fault (repeatable):\n"
		"                      weak-supply=FRACTION   programmed words silently go bad\n"
		"                      seed=N                 seed of weak-supply, vos-unready\n"
		"                      power-loss-after-ops=N cut power half way through flash\n"
		"                                             operation N+1, then restart\n"
		"                      power-loss-at-ms=T     cut power T ms (virtual) after the\n"
		"                                             first debugger connects\n"
		"                      slow-sector=BANK:SECTOR[:FACTOR]  a worn sector erases slowly\n"
		"                      stuck-busy=BANK        the bank never finishes an operation\n"
		"                      drop-after-bytes=N     close the connection after N bytes\n"
		"                      vos-unready=FRACTION   core supply below its VOS level:\n"
		"                                             ACTVOSRDY (PWR_CSR1) and VOSRDY\n"
		"                                             (PWR_D3CR) read 0; FRACTION of the\n"
		"                                             programmed words get 1-3 flipped\n"
		"                                             bits, both ways, no ECC flag\n"
		"                      reads-zero=all|1|2     flash reads (both banks, or bank\n"
		"                                             at 0x08000000 / 0x08100000) return\n"
		"                                             0 for debugger and CPU; erase and\n"
		"                                             program still change the array\n"
		"                      instant-done=all|1|2   erase/program of that register set\n"
		"                                             end at once with EOP, no busy\n"
		"                                             time, array unchanged\n"
		"  --export-bank N FILE  write physical flash bank N (1 or 2) of --state to FILE\n"
		"                    and exit (lets tests look at the physical storage)\n"
		"  --trace           log every debug and bus access to stderr\n"
		"  --rev Y|V         silicon revision reported in DBGMCU_IDCODE (default V)\n"
		"  --tck-hz N        JTAG clock frequency on the virtual clock (default 4000000)\n"
		"  --swclk-hz N      SWD clock of the vdebug probe at `adapter speed` maximum\n"
		"                    (divider 1) on the virtual clock (default 24000000)\n"
		"  --cpu-hz N        core clock on the virtual clock (default 64000000)\n"
		"  --hse-hz N        HSE crystal for the RCC clock tree (default 25000000)\n"
		"  --help\n"
		"Modelled without --fault (state in --stats):\n"
		"  flash wait states  FLASH_ACR.LATENCY below what the AXI clock (RCC: SW, PLL1,\n"
		"                     D1CPRE, HPRE) needs at the VOS level (PWR_D3CR) makes every\n"
		"                     flash read wrong, differently each time (debugger and CPU;\n"
		"                     code fetched from flash then locks the core up)\n"
		"  RCC_RSR            reset flags of power-on, NRST, SYSRESETREQ and IWDG1 add up\n"
		"                     until RMVF is written\n"
		"  IWDG1              watchdog at 0x58004800 on the 32 kHz LSI; starts at every\n"
		"                     reset when the option bit IWDG1_SW is 0; frozen while the\n"
		"                     core is halted and DBGMCU_APB4FZ1 bit 18 is set; a reset\n"
		"                     cuts a flash erase or program short like a power loss\n"
		"  WFI/WFE            the core sleeps (an interrupt or a debug halt wakes it); with\n"
		"                     SCB_SCR.SLEEPDEEP D1 enters Stop (PWR_CPUCR.STOPF) and,\n"
		"                     unless DBGMCU_CR.DBGSTOP_D1 is set, AP0 answers with\n"
		"                     errors until NRST or power-on (AP2 still answers)\n"
		"  L1 caches          SCB_CCR.DC/IC: D-cache lines over flash and SRAM, written\n"
		"                     back or lost by maintenance; AP0 with CSW.HPROT[3] = 0 sees\n"
		"                     memory, = 1 the core's view; a debugger write under a valid\n"
		"                     I-cache line is not executed until ICIMVAU/ICIALLU\n");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (!*s || *end || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* "all", "1" or "2": a bit per bank (register set), added to *mask. */
static int parse_banks(const char *v, uint8_t *mask)
{
	if (!strcmp(v, "all"))
		*mask |= 3;
	else if (!strcmp(v, "1") || !strcmp(v, "2"))
		*mask |= 1u << (v[0] - '1');
	else
		return -1;
	return 0;
}

/* A decimal number at *p (sscanf's %u would take "-1" and overflow silently). */
static bool take_number(const char **p, unsigned long *value)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return false;
	errno = 0;
	*value = strtoul(*p, &end, 10);
	*p = end;
	return errno == 0;
}

/* --fault NAME=VALUE; every error names what was wrong. */
static int parse_fault(const char *spec, struct options *o)
{
	struct flash_faults *fl = &o->faults;
	const char *eq = strchr(spec, '=');
	char *end;

	if (!eq) {
		fprintf(stderr, "h743sim: --fault wants NAME=VALUE, not '%s'\n", spec);
		return -1;
	}
	const char *v = eq + 1;
	size_t n = (size_t)(eq - spec);

	errno = 0;
	if (!strncmp(spec, "weak-supply", n) && n == 11) {
		fl->weak_supply = strtod(v, &end);
		if (*end || fl->weak_supply < 0 || fl->weak_supply > 1)
			goto bad;
	} else if (!strncmp(spec, "seed", n) && n == 4) {
		/* spread the seed so that neighbouring seeds give unrelated runs */
		fl->rng = (strtoull(v, &end, 0) + 1) * 0x9E3779B97F4A7C15ull;
		if (*end)
			goto bad;
		if (!fl->rng)
			fl->rng = 1;
	} else if (!strncmp(spec, "power-loss-after-ops", n) && n == 20) {
		fl->power_loss_after_ops = strtoull(v, &end, 0);
		if (*end || !fl->power_loss_after_ops)
			goto bad;
	} else if (!strncmp(spec, "power-loss-at-ms", n) && n == 16) {
		double ms = strtod(v, &end);

		if (*end || ms <= 0)
			goto bad;
		fl->power_loss_at_ps = (uint64_t)(ms * PS_PER_MS);
	} else if (!strncmp(spec, "slow-sector", n) && n == 11) {
		unsigned long bank, sector, factor = 8;
		const char *p = v;

		if (!take_number(&p, &bank) || *p++ != ':' || !take_number(&p, &sector))
			goto bad;
		if (*p == ':') {
			p++;
			if (!take_number(&p, &factor))
				goto bad;
		}
		if (*p || bank < 1 || bank > 2 || sector > 7 || factor < 1 || factor > UINT_MAX)
			goto bad;
		fl->slow_bank = (int)bank - 1;
		fl->slow_sector = (int)sector;
		fl->slow_factor = factor;
	} else if (!strncmp(spec, "stuck-busy", n) && n == 10) {
		unsigned long bank = strtoul(v, &end, 0);

		if (*end || bank < 1 || bank > 2)
			goto bad;
		fl->stuck_bank = (int)bank - 1;
	} else if (!strncmp(spec, "vos-unready", n) && n == 11) {
		fl->vos_unready = true;
		fl->vos_unready_words = strtod(v, &end);
		if (*end || fl->vos_unready_words < 0 || fl->vos_unready_words > 1)
			goto bad;
	} else if (!strncmp(spec, "reads-zero", n) && n == 10) {
		if (parse_banks(v, &fl->reads_zero))
			goto bad;
	} else if (!strncmp(spec, "instant-done", n) && n == 12) {
		if (parse_banks(v, &fl->instant_done))
			goto bad;
	} else if (!strncmp(spec, "drop-after-bytes", n) && n == 16) {
		o->drop_after_bytes = strtoull(v, &end, 0);
		if (*end || !o->drop_after_bytes)
			goto bad;
	} else {
		fprintf(stderr, "h743sim: unknown fault '%.*s' (see --help)\n", (int)n, spec);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "h743sim: bad value in --fault %s (see --help)\n", spec);
	return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "unix", required_argument, NULL, 'u' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 's' },
		{ "stats", required_argument, NULL, 'S' },
		{ "trace", no_argument, NULL, 't' },
		{ "flash-image", required_argument, NULL, 'f' },
		{ "variant", required_argument, NULL, 'v' },
		{ "fault", required_argument, NULL, 'F' },
		{ "export-bank", required_argument, NULL, 'E' },
		{ "rev", required_argument, NULL, 'R' },
		{ "tck-hz", required_argument, NULL, 'T' },
		{ "swclk-hz", required_argument, NULL, 'W' },
		{ "cpu-hz", required_argument, NULL, 'C' },
		{ "hse-hz", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .bind_addr = "127.0.0.1", .port = 3335 };
	chip_config_default(&o->chip);
	flash_faults_default(&o->faults);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 65535) {
				fprintf(stderr, "h743sim: --port wants 0..65535, not '%s'\n", optarg);
				return -1;
			}
			o->port = (int)v;
			break;
		}
		case 'b':
			o->bind_addr = optarg;
			break;
		case 'u':
			o->unix_path = optarg;
			break;
		case 'r':
			o->ready_file = optarg;
			break;
		case 's':
			o->state_file = optarg;
			break;
		case 'S':
			o->stats_file = optarg;
			break;
		case 't':
			sim_trace_enabled = true;
			break;
		case 'f':
			o->flash_image = optarg;
			break;
		case 'v':
			o->chip.variant = flash_find_variant(optarg);
			if (!o->chip.variant) {
				fprintf(stderr, "h743sim: unknown --variant '%s' (see --help)\n", optarg);
				return -1;
			}
			break;
		case 'F':
			if (parse_fault(optarg, o) != 0)
				return -1;
			break;
		case 'E':
			if (optind >= argc || (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)) {
				fprintf(stderr, "h743sim: --export-bank wants 1 or 2 and a file name\n");
				return -1;
			}
			o->export_bank = optarg[0] - '0';	/* "1" or "2" */
			o->export_file = argv[optind++];
			break;
		case 'R':
			if (!strcmp(optarg, "Y") || !strcmp(optarg, "y")) {
				o->chip.rev_id = REV_ID_Y;
			} else if (!strcmp(optarg, "V") || !strcmp(optarg, "v")) {
				o->chip.rev_id = REV_ID_V;
			} else {
				fprintf(stderr, "h743sim: --rev wants Y or V, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'T':
			if (parse_u64(optarg, &o->chip.tck_hz)) {
				fprintf(stderr, "h743sim: --tck-hz wants a frequency in Hz\n");
				return -1;
			}
			break;
		case 'W':
			if (parse_u64(optarg, &o->chip.swclk_hz)) {
				fprintf(stderr, "h743sim: --swclk-hz wants a frequency in Hz\n");
				return -1;
			}
			break;
		case 'C':
			if (parse_u64(optarg, &o->chip.cpu_hz)) {
				fprintf(stderr, "h743sim: --cpu-hz wants a frequency in Hz\n");
				return -1;
			}
			break;
		case 'H':
			if (parse_u64(optarg, &o->chip.hse_hz)) {
				fprintf(stderr, "h743sim: --hse-hz wants a frequency in Hz\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "h743sim: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static void write_ready_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	bool ok = f && fprintf(f, "%d\n", port) >= 0;

	/* closed whatever fprintf did */
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, path) != 0)
		fprintf(stderr, "h743sim: cannot write ready file %s\n", path);
}

static void print_connect_hints(const struct options *o, int port)
{
	if (o->unix_path) {
		printf("h743sim: STM32H743 listening on unix socket %s\n", o->unix_path);
		printf("  openocd -c 'adapter driver remote_bitbang; remote_bitbang port 0; "
		       "remote_bitbang host %s' -f target/stm32h743.cfg\n", o->unix_path);
	} else {
		printf("h743sim: STM32H743 listening on %s:%d\n", o->bind_addr, port);
		printf("  H743SIM_PORT=%d openocd -f board/h743sim.cfg      (JTAG, remote_bitbang)\n",
		       port);
		printf("  H743SIM_PORT=%d openocd -f board/h743sim-swd.cfg  (SWD, vdebug DAP level)\n",
		       port);
		printf("  (or: openocd -c 'adapter driver remote_bitbang; remote_bitbang host %s; "
		       "remote_bitbang port %d; reset_config trst_and_srst' "
		       "-f target/stm32h7x_dual_bank.cfg)\n", o->bind_addr, port);
	}
	fflush(stdout);
}

/* What survives a power cycle: the array as laid out now, ECC state, option bytes. */
#define NSECTIONS 4
static void state_sections(struct stm32h743 *chip, struct persist_section s[NSECTIONS])
{
	struct flash *f = &chip->flash;

	s[0] = (struct persist_section){ "flash", f->array, FLASH_ARRAY_SIZE };
	s[1] = (struct persist_section){ "flash-words", f->words, sizeof(f->words) };
	s[2] = (struct persist_section){ "flash-swapped", &f->swapped, sizeof(f->swapped) };
	s[3] = (struct persist_section){ "option-bytes", &f->nv, sizeof(f->nv) };
}

static void save_state(const struct options *o, struct stm32h743 *chip)
{
	struct persist_section s[NSECTIONS];

	if (!o->state_file)
		return;
	state_sections(chip, s);
	/* the flash itself, not what the core's D-cache still holds of it */
	cache_swap(&chip->core.cache, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE);
	if (persist_save(o->state_file, s, NSECTIONS) == 0)
		chip->flash.dirty = false;
	cache_swap(&chip->core.cache, FLASH_ARRAY_BASE, FLASH_ARRAY_SIZE);
}

/*
 * A damaged state file stops the simulator before anything can be saved
 * over it. In tool mode (--export-bank) the file must exist.
 */
static int load_state(const struct options *o, struct stm32h743 *chip)
{
	struct persist_section s[NSECTIONS];
	char why[256];
	int ret;

	state_sections(chip, s);
	ret = persist_load(o->state_file, s, NSECTIONS, why, sizeof(why));
	if (ret < 0) {
		fprintf(stderr, "h743sim: state file %s: %s; nothing loaded, the file is left "
			"as it is and the simulator stops (move the file away to start with a "
			"blank chip)\n", o->state_file, why);
		return -1;
	}
	if (ret == 0 && o->export_file) {
		fprintf(stderr, "h743sim: --export-bank: state file %s does not exist\n",
			o->state_file);
		return -1;
	}
	flash_recount_bad_words(&chip->flash);
	return 0;
}

/* Refuse at start a state file that could never be saved (missing directory). */
static int check_state_writable(const struct options *o)
{
	char why[512];

	if (persist_check_writable(o->state_file, why, sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "h743sim: --state %s: the state could not be saved: %s\n",
		o->state_file, why);
	return -1;
}

/* Tool mode: one physical bank of a state file, for tests and post-mortems. */
static int export_bank(const struct options *o, struct stm32h743 *chip)
{
	const struct flash *f = &chip->flash;
	unsigned int logical = f->swapped ? 2 - (unsigned int)o->export_bank :
		(unsigned int)o->export_bank - 1;
	FILE *out = fopen(o->export_file, "wb");
	bool ok = out && fwrite(f->array + logical * FLASH_BANK_BYTES, 1, FLASH_BANK_BYTES,
		out) == FLASH_BANK_BYTES;

	/* closed on every path; a failed close (data not written) fails too */
	if (out && fclose(out) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "h743sim: cannot write %s: %s\n", o->export_file, strerror(errno));
		return 1;
	}
	return 0;
}

/* Arguments that must not come back after a power loss, with their values. */
static bool dropped_on_restart(const char *arg, const char *value)
{
	if (!strcmp(arg, "--fault"))
		return value && !strncmp(value, "power-loss", 10);	/* it fails once */
	/* the firmware image was programmed once; the state file has the flash now */
	return !strcmp(arg, "--flash-image") || !strcmp(arg, "--state");
}

/*
 * An injected power loss: keep what the flash holds now and boot again, on
 * the same port, from the state file (a temporary one when none was given).
 * The power may fail while the simulator stops (the chip lives through the
 * last wire time): then there is no restart, the exit saves the state. A
 * SIGUSR1 taken but not yet served goes along as a pending signal.
 */
static void restart_after_power_loss(void *ctx)
{
	struct options *o = ctx;
	char **argv;
	static char port[16], state[64];
	int n = 0;

	if (stop_requested) {
		sim_info("power lost while stopping: no restart");
		return;
	}
	argv = calloc((size_t)saved_argc + 5, sizeof(*argv));
	if (!argv)
		exit(1);
	if (stats_requested)
		raise(SIGUSR1);		/* blocked here: pending across execv */
	if (!o->state_file) {
		snprintf(state, sizeof(state), "/tmp/h743sim-power-loss-%d.state", (int)getpid());
		o->state_file = state;
	}
	save_state(o, ctx_chip);
	iwdg_log_flush(&ctx_chip->iwdg);
	/*
	 * Reset, not closed by the exec: OpenOCD 0.12 asserts on an EOF in the
	 * middle of a scan (remote_bitbang_read_sample) but fails cleanly on a
	 * reset connection.
	 */
	if (ctx_client >= 0)
		close_with_reset(ctx_client);
	for (int i = 0; i < saved_argc; i++) {
		const char *value = i + 1 < saved_argc ? saved_argv[i + 1] : NULL;

		if (dropped_on_restart(saved_argv[i], value)) {
			i++;	/* skip its value too */
			continue;
		}
		argv[n++] = saved_argv[i];
	}
	argv[n++] = "--state";
	argv[n++] = (char *)o->state_file;
	if (!o->unix_path) {
		snprintf(port, sizeof(port), "%d", bound_port);
		argv[n++] = "--port";
		argv[n++] = port;
	}
	fflush(NULL);
	execv("/proc/self/exe", argv);
	perror("h743sim: restart after power loss");
	free(argv);
	exit(1);
}

/* Copy a raw image into the flash array; it must fit and leaves the rest erased. */
static int load_flash_image(const char *path, struct stm32h743 *chip)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "h743sim: cannot open flash image %s: %s\n", path, strerror(errno));
		return -1;
	}
	static uint8_t image[FLASH_ARRAY_SIZE];

	memset(image, 0xFF, sizeof(image));
	n = fread(image, 1, sizeof(image), f);
	bool too_big = fgetc(f) != EOF;

	fclose(f);
	if (too_big || flash_load_image(&chip->flash, image, (uint32_t)n) != 0) {
		fprintf(stderr, "h743sim: flash image %s does not fit the %u KiB flash of the %s\n",
			path, chip->cfg.variant->size_kb, chip->cfg.variant->name);
		return -1;
	}
	sim_info("flash: %zu bytes from %s at 0x%08x", n, path, FLASH_ARRAY_BASE);
	return 0;
}

/* ---- serving debuggers ------------------------------------------------------- */

struct server {
	const struct options *o;
	struct stm32h743 *chip;
	int listen_fd;
	int client;			/* the debugger being served, or -1 */
	struct outbuf replies;		/* replies the client has not taken yet */
	struct server_stats stats;
	bool backlogged;		/* the client leaves its replies unread */
	bool quiescent;			/* nothing changes until a socket wakes us */
};

/*
 * --fault drop-after-bytes: how much may be read now (at most room); 0 when
 * the connection is to drop. It drops once.
 */
static size_t fault_room(const struct options *o, const struct stm32h743 *chip, size_t room)
{
	static bool dropped;

	if (!o->drop_after_bytes || dropped)
		return room;
	if (chip_wire_bytes_in(chip) >= o->drop_after_bytes) {
		sim_info("fault injection: dropping the connection after %llu bytes",
			(unsigned long long)chip_wire_bytes_in(chip));
		dropped = true;
		return 0;
	}
	uint64_t left = o->drop_after_bytes - chip_wire_bytes_in(chip);

	return left < room ? (size_t)left : room;
}

/*
 * Replies wait in srv->replies until the client takes them; a client that
 * leaves too many unread is dropped (backlogged).
 */
static void queue_reply(void *ctx, const uint8_t *data, size_t len)
{
	struct server *srv = ctx;

	if (!srv->backlogged && outbuf_add(&srv->replies, data, len) != 0)
		srv->backlogged = true;
}

/*
 * Feed what the client sent and queue the replies; false when the connection
 * is over. The first byte tells the protocol: a vdebug OPEN request starts
 * with its command code, a remote_bitbang stream with a printable command.
 */
static bool serve_client(struct server *srv)
{
	static uint8_t in[65536], out[65536];
	struct stm32h743 *chip = srv->chip;
	size_t room = fault_room(srv->o, chip, sizeof(in));

	if (!room)
		return false;
	ssize_t n = recv(srv->client, in, room, 0);

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return true;
	if (n <= 0)
		return false;
	if (chip->transport == TRANSPORT_NONE)
		chip_select_transport(chip, in[0] == VDEBUG_FIRST_BYTE ? TRANSPORT_SWD : TRANSPORT_JTAG);
	if (chip->transport == TRANSPORT_SWD) {
		vdebug_process(&chip->vdebug, in, (size_t)n);
	} else {
		size_t nout = rbb_process(&chip->rbb, in, (size_t)n, out);

		queue_reply(srv, out, nout);
	}
	if (chip->wire_debt_ps > (int64_t)WIRE_DEBT_SETTLE_PS)
		chip_settle(chip);
	if (srv->backlogged) {
		sim_warn("debugger connection %llu does not read its replies (%zu bytes unread, "
			"limit %d): dropping it", (unsigned long long)srv->stats.connections,
			outbuf_pending(&srv->replies), REPLY_BACKLOG_LIMIT);
		srv->stats.dropped++;
		return false;
	}
	if (outbuf_flush(&srv->replies, srv->client) != 0)
		return false;
	return !(chip->transport == TRANSPORT_SWD ? chip->vdebug.quit : chip->rbb.quit);
}

static void start_client(struct server *srv, int fd)
{
	struct stm32h743 *chip = srv->chip;

	iwdg_log_flush(&chip->iwdg);	/* resets so far are summed up before this */
	srv->client = fd;
	ctx_client = fd;
	outbuf_reset(&srv->replies);
	srv->backlogged = false;
	chip_client_connect(chip);
	vdebug_connect(&chip->vdebug, queue_reply, srv);
	srv->stats.connections++;
	sim_info("debugger connected (connection %llu)",
		(unsigned long long)srv->stats.connections);
}

/* The connection is over (orderly, or reset when the client misbehaved). */
static void end_client(struct server *srv, bool reset)
{
	struct stm32h743 *chip = srv->chip;

	if (reset) {
		close_with_reset(srv->client);
	} else {
		outbuf_flush(&srv->replies, srv->client);	/* what still fits, e.g. before 'Q' */
		close(srv->client);
	}
	srv->client = -1;
	ctx_client = -1;
	outbuf_reset(&srv->replies);
	chip->client_connected = false;
	chip_settle(chip);
	iwdg_log_flush(&chip->iwdg);
	sim_info("debugger disconnected; core %s", cm7_state_name(chip->core.state));
	save_state(srv->o, chip);
	if (srv->o->stats_file)
		stats_write(srv->o->stats_file, chip, &srv->stats);
}

/* The client has closed its end (what it sent before may still be unread). */
static bool client_hung_up(const struct server *srv)
{
	struct pollfd p = { .fd = srv->client, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Serve what a client that hung up still sent (a bounded amount), then end it. */
static void finish_client(struct server *srv)
{
	bool alive = true;
	uint64_t dropped = srv->stats.dropped;

	for (int i = 0; alive && i < 1024; i++)
		alive = serve_client(srv);
	if (!alive)
		end_client(srv, srv->stats.dropped != dropped);
}

/*
 * A new connection. One debugger at a time: a second one is refused at once,
 * with a reset, so that its OpenOCD fails with an error instead of waiting
 * in the listen queue, and the first one is served on. A debugger that has
 * just closed its connection (the previous batch OpenOCD) is no longer in
 * the way, even when its last bytes are still unread.
 */
static void take_connection(struct server *srv)
{
	int fd = listen_accept(srv->listen_fd);

	if (fd < 0)
		return;
	if (srv->client >= 0 && client_hung_up(srv))
		finish_client(srv);
	if (srv->client < 0) {
		start_client(srv, fd);
		return;
	}
	srv->stats.refused++;
	sim_warn("refusing a second debugger connection: connection %llu is in use "
		"(one debugger at a time)", (unsigned long long)srv->stats.connections);
	close_with_reset(fd);
}

static void client_ready(struct server *srv, short revents)
{
	bool alive = true, reset = false;

	if (revents & POLLOUT)
		alive = outbuf_flush(&srv->replies, srv->client) == 0;
	if (alive && (revents & (POLLIN | POLLHUP | POLLERR))) {
		uint64_t dropped = srv->stats.dropped;

		alive = serve_client(srv);
		reset = srv->stats.dropped != dropped;
	}
	if (!alive)
		end_client(srv, reset);
}

/*
 * Flash changes reach the state file when the chip goes quiet, at most every
 * 250 ms of virtual time, so a killed simulator loses little and never leaves
 * a torn file.
 */
static void save_when_due(const struct options *o, struct stm32h743 *chip, bool quiescent)
{
	static uint64_t last_save;

	if (!quiescent || !chip_is_quiet(chip) || !chip->flash.dirty || !o->state_file ||
	    chip->clock.now - last_save < 250 * PS_PER_MS)
		return;
	last_save = chip->clock.now;
	save_state(o, chip);
}

/*
 * Nothing arrived. With a debugger connected the chip waits for it: its time
 * flows with the wire and with the debugger's polls only (see poll_step), so
 * a host pause costs no virtual time (the chip only lives through the time
 * the wire already took). Alone, the chip runs on by quanta.
 * Returns true when there is nothing to do until a socket is ready.
 */
static bool wire_idle(struct server *srv)
{
	if (srv->client >= 0) {
		chip_settle(srv->chip);	/* the time the wire already took */
		return true;
	}
	return chip_run_ahead(srv->chip, RUNAHEAD_QUANTUM_PS);
}

/*
 * Wait for a socket (not at all while the chip has work to do), with the
 * handled signals unblocked for the wait only; then serve what is ready, or
 * let the chip run ahead.
 */
static int wait_and_serve(struct server *srv)
{
	static const struct timespec no_wait = { 0, 0 };
	struct pollfd pfd[2] = {
		{ .fd = srv->listen_fd, .events = POLLIN },
		{ .fd = srv->client, .events = POLLIN },	/* ignored while -1 */
	};

	if (outbuf_pending(&srv->replies))
		pfd[1].events |= POLLOUT;
	int n = ppoll(pfd, 2, srv->quiescent ? NULL : &no_wait, &wait_mask);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		perror("h743sim: ppoll");
		return -1;
	}
	if (n == 0) {
		srv->quiescent = wire_idle(srv);
		save_when_due(srv->o, srv->chip, srv->quiescent);
		return 0;
	}
	srv->quiescent = false;
	if (pfd[1].revents)
		client_ready(srv, pfd[1].revents);
	if (pfd[0].revents & POLLIN)
		take_connection(srv);
	return 0;
}

static int serve(struct server *srv)
{
	int ret = 0;

	while (ret == 0) {
		take_pending_signals();
		if (stop_requested) {
			sim_info("stopping on %s: saving the state",
				stop_requested == SIGINT ? "SIGINT" : "SIGTERM");
			break;
		}
		if (stats_requested) {
			stats_requested = 0;
			if (srv->o->stats_file)
				stats_write(srv->o->stats_file, srv->chip, &srv->stats);
		}
		ret = wait_and_serve(srv);
	}
	iwdg_log_flush(&srv->chip->iwdg);
	if (srv->client >= 0) {
		end_client(srv, false);		/* saves the state and the statistics */
		return ret;
	}
	save_state(srv->o, srv->chip);
	if (srv->o->stats_file)
		stats_write(srv->o->stats_file, srv->chip, &srv->stats);
	return ret;
}

static int open_listener(const struct options *o, int *port)
{
	if (o->unix_path)
		return listen_unix(o->unix_path);
	return listen_tcp(o->bind_addr, o->port, port);
}

/*
 * Every return from main() goes through the end of it, which frees what was
 * allocated (the chip, the reply buffer) and closes the listener, so that
 * LeakSanitizer sees nothing on any exit path. The other ways out: exit(0)
 * after --help (before anything is allocated), and the restart after a power
 * loss, whose execv() hands the whole address space back (its exit(1) when
 * the exec fails leaves all that is allocated reachable from statics).
 */
int main(int argc, char **argv)
{
	struct options o;
	static struct stm32h743 chip;
	struct server srv = { .o = &o, .chip = &chip, .listen_fd = -1, .client = -1 };
	int port = 0, ret = 1;

	setup_signals();
	saved_argc = argc;
	saved_argv = argv;
	if (parse_options(argc, argv, &o) != 0)
		return 2;
	if (chip_init(&chip, &o.chip) != 0)
		goto out;
	ctx_chip = &chip;
	if (o.state_file && load_state(&o, &chip) != 0)
		goto out;
	if (o.export_file) {
		if (!o.state_file) {
			fprintf(stderr, "h743sim: --export-bank needs --state\n");
			ret = 2;
			goto out;
		}
		ret = export_bank(&o, &chip);
		goto out;
	}
	if (o.state_file && check_state_writable(&o) != 0)
		goto out;
	if (o.flash_image && load_flash_image(o.flash_image, &chip) != 0)
		goto out;
	chip.flash.faults = o.faults;
	chip.power_lost = restart_after_power_loss;
	chip.power_lost_ctx = &o;	/* o lives until exit (or exec) */
	chip_power_on(&chip);

	if (outbuf_init(&srv.replies, REPLY_BACKLOG_LIMIT) != 0) {
		fprintf(stderr, "h743sim: out of memory for the reply buffer\n");
		goto out;
	}
	srv.listen_fd = open_listener(&o, &port);
	if (srv.listen_fd < 0)
		goto out;
	bound_port = port;
	print_connect_hints(&o, port);
	if (o.ready_file)
		write_ready_file(o.ready_file, port);

	ret = serve(&srv) ? 1 : 0;

	close(srv.listen_fd);
	if (o.unix_path)
		unlink(o.unix_path);
out:
	outbuf_free(&srv.replies);
	chip_free(&chip);
	return ret;
}

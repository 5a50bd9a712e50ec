// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * h743sim: an STM32H743 that OpenOCD reaches through its remote_bitbang JTAG
 * adapter. One client at a time; the chip keeps its state (and keeps running)
 * between connections, like a powered board.
 */
#define _GNU_SOURCE
#include "log.h"
#include "persist.h"
#include "stats.h"
#include "stm32h743.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* How far the chip may run ahead before the socket is looked at again. */
#define RUNAHEAD_QUANTUM_PS (1 * PS_PER_MS)

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

static volatile sig_atomic_t stop_requested;
static struct stm32h743 *ctx_chip;
static volatile sig_atomic_t stats_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_stats_signal(int sig)
{
	(void)sig;
	stats_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: h743sim [options]\n"
		"  --port N          TCP port for remote_bitbang (default 3335; 0 = any free port)\n"
		"  --bind ADDR       address to listen on (default 127.0.0.1)\n"
		"  --unix PATH       listen on a unix socket instead of TCP\n"
		"  --ready-file F    write the port number to F once listening\n"
		"  --state FILE      keep flash contents across simulator restarts\n"
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
		"  WFI/WFE            the core sleeps (a debug halt wakes it); with\n"
		"                     SCB_SCR.SLEEPDEEP D1 enters Stop (PWR_CPUCR.STOPF) and,\n"
		"                     unless DBGMCU_CR.DBGSTOP_D1 is set, AP0 answers with\n"
		"                     errors until NRST or power-on (AP2 still answers)\n");
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
		unsigned int bank, sector, factor = 8;
		int got = sscanf(v, "%u:%u:%u", &bank, &sector, &factor);

		if (got < 2 || bank < 1 || bank > 2 || sector > 7 || factor < 1)
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
		{ "cpu-hz", required_argument, NULL, 'C' },
		{ "hse-hz", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){
		.bind_addr = "127.0.0.1", .port = 3335,
		.chip = { .rev_id = REV_ID_V, .tck_hz = 4000000, .cpu_hz = 64000000,
			.hse_hz = HSE_DEFAULT_HZ, .variant = &flash_variants[0] },
		.faults = { .slow_bank = -1, .slow_sector = -1, .slow_factor = 8, .stuck_bank = -1,
			.rng = 0x9E3779B97F4A7C15ull },
	};
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
		case 'b': o->bind_addr = optarg; break;
		case 'u': o->unix_path = optarg; break;
		case 'r': o->ready_file = optarg; break;
		case 's': o->state_file = optarg; break;
		case 'S': o->stats_file = optarg; break;
		case 't': sim_trace_enabled = true; break;
		case 'f': o->flash_image = optarg; break;
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
			if (optind >= argc || (strcmp(optarg, "1") && strcmp(optarg, "2"))) {
				fprintf(stderr, "h743sim: --export-bank wants 1 or 2 and a file name\n");
				return -1;
			}
			o->export_bank = atoi(optarg);
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

static int listen_tcp(const struct options *o, int *port_out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
	int one = 1, fd;

	if (inet_pton(AF_INET, o->bind_addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "h743sim: --bind wants an IPv4 address, not '%s'\n", o->bind_addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
		fprintf(stderr, "h743sim: cannot listen on %s:%d: %s\n", o->bind_addr, o->port,
			strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t len = sizeof(sa);

	getsockname(fd, (struct sockaddr *)&sa, &len);
	*port_out = ntohs(sa.sin_port);
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "h743sim: unix socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 1) != 0) {
		fprintf(stderr, "h743sim: cannot listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void write_ready_file(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
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
		printf("  H743SIM_PORT=%d openocd -f board/h743sim.cfg\n", port);
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
	if (persist_save(o->state_file, s, NSECTIONS) == 0)
		chip->flash.dirty = false;
}

static int load_state(const struct options *o, struct stm32h743 *chip)
{
	struct persist_section s[NSECTIONS];

	state_sections(chip, s);
	if (persist_load(o->state_file, s, NSECTIONS) < 0)
		return -1;
	flash_recount_bad_words(&chip->flash);
	return 0;
}

/* Tool mode: one physical bank of a state file, for tests and post-mortems. */
static int export_bank(const struct options *o, struct stm32h743 *chip)
{
	const struct flash *f = &chip->flash;
	unsigned int logical = f->swapped ? 2 - (unsigned int)o->export_bank :
		(unsigned int)o->export_bank - 1;
	FILE *out = fopen(o->export_file, "wb");

	if (!out || fwrite(f->array + logical * FLASH_BANK_BYTES, 1, FLASH_BANK_BYTES, out) !=
			FLASH_BANK_BYTES || fclose(out) != 0) {
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
 */
static void restart_after_power_loss(void *ctx)
{
	struct options *o = ctx;
	char **argv = calloc((size_t)saved_argc + 5, sizeof(*argv));
	static char port[16], state[64];
	int n = 0;

	if (!argv)
		exit(1);
	if (!o->state_file) {
		snprintf(state, sizeof(state), "/tmp/h743sim-power-loss-%d.state", (int)getpid());
		o->state_file = state;
	}
	save_state(o, ctx_chip);
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

static int send_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Feed what the client sent; false when the connection is over. */
static bool serve_client(int fd, struct stm32h743 *chip, const struct options *o)
{
	static uint8_t in[65536], out[65536];
	size_t room = sizeof(in);

	static bool dropped;	/* the connection drops once */

	if (o->drop_after_bytes && !dropped) {
		uint64_t left = o->drop_after_bytes - chip->wire.bytes_in;

		if (chip->wire.bytes_in >= o->drop_after_bytes) {
			sim_info("fault injection: dropping the connection after %llu bytes",
				(unsigned long long)chip->wire.bytes_in);
			dropped = true;
			return false;
		}
		if (left < room)
			room = (size_t)left;
	}
	ssize_t n = recv(fd, in, room, 0);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	size_t nout = rbb_process(&chip->wire, in, (size_t)n, out);

	if (nout && send_all(fd, out, nout) != 0)
		return false;
	return !chip->wire.quit;
}

static int accept_client(int listen_fd, struct stm32h743 *chip, struct server_stats *srv)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rbb_connect(&chip->wire);
	flash_start_faults(&chip->flash);
	chip->client_connected = true;
	chip->poll_count = 0;
	srv->connections++;
	sim_info("debugger connected (connection %llu)", (unsigned long long)srv->connections);
	return fd;
}

static void end_client(int *fd, const struct options *o, struct stm32h743 *chip,
		const struct server_stats *srv)
{
	close(*fd);
	*fd = -1;
	chip->client_connected = false;
	chip_settle(chip);
	sim_info("debugger disconnected; core %s", cm7_state_name(chip->core.state));
	save_state(o, chip);
	if (o->stats_file)
		stats_write(o->stats_file, chip, srv);
}

/*
 * Flash changes reach the state file when the chip goes quiet, at most every
 * 250 ms of virtual time, so a killed simulator loses little and never leaves
 * a torn file.
 */
static void save_when_due(const struct options *o, struct stm32h743 *chip, bool quiescent)
{
	static uint64_t last_save;

	if (!quiescent || !chip->flash.dirty || !o->state_file ||
	    chip->clock.now - last_save < 250 * PS_PER_MS)
		return;
	last_save = chip->clock.now;
	save_state(o, chip);
}

static int serve(const struct options *o, int listen_fd, struct stm32h743 *chip)
{
	struct server_stats srv = { 0 };
	int client = -1;
	bool quiescent = false;

	while (!stop_requested) {
		struct pollfd pfd = { .fd = client >= 0 ? client : listen_fd, .events = POLLIN };

		if (stats_requested) {
			stats_requested = 0;
			if (o->stats_file)
				stats_write(o->stats_file, chip, &srv);
		}
		int n = poll(&pfd, 1, quiescent ? -1 : 0);

		if (n < 0 && errno != EINTR) {
			perror("h743sim: poll");
			return -1;
		}
		if (n > 0) {
			quiescent = false;
			if (client < 0)
				client = accept_client(listen_fd, chip, &srv);
			else if (!serve_client(client, chip, o))
				end_client(&client, o, chip, &srv);
			continue;
		}
		if (n == 0) {
			quiescent = chip_run_ahead(chip, RUNAHEAD_QUANTUM_PS);
			save_when_due(o, chip, quiescent);
		}
	}
	if (client >= 0)
		end_client(&client, o, chip, &srv);
	save_state(o, chip);
	if (o->stats_file)
		stats_write(o->stats_file, chip, &srv);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	static struct stm32h743 chip;
	int listen_fd, port = 0;

	saved_argc = argc;
	saved_argv = argv;
	if (parse_options(argc, argv, &o) != 0)
		return 2;
	if (chip_init(&chip, &o.chip) != 0)
		return 1;
	ctx_chip = &chip;
	if (o.state_file && load_state(&o, &chip) != 0)
		return 1;
	if (o.export_file) {
		if (!o.state_file) {
			fprintf(stderr, "h743sim: --export-bank needs --state\n");
			return 2;
		}
		return export_bank(&o, &chip);
	}
	if (o.flash_image && load_flash_image(o.flash_image, &chip) != 0)
		return 1;
	chip.flash.faults = o.faults;
	chip.power_lost = restart_after_power_loss;
	chip.power_lost_ctx = &o;	/* o lives until exit (or exec) */
	chip_power_on(&chip);

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_stats_signal;
	sigaction(SIGUSR1, &sa, NULL);

	listen_fd = o.unix_path ? listen_unix(o.unix_path) : listen_tcp(&o, &port);
	if (listen_fd < 0)
		return 1;
	bound_port = port;
	print_connect_hints(&o, port);
	if (o.ready_file)
		write_ready_file(o.ready_file, port);

	int ret = serve(&o, listen_fd, &chip);

	close(listen_fd);
	if (o.unix_path)
		unlink(o.unix_path);
	chip_free(&chip);
	return ret ? 1 : 0;
}

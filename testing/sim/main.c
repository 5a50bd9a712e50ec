// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * h743sim: an STM32H743 that OpenOCD reaches through its remote_bitbang JTAG
 * adapter. One client at a time; the chip keeps its state (and keeps running)
 * between connections, like a powered board.
 */
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
	struct chip_config chip;
};

static volatile sig_atomic_t stop_requested;
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
		"  --trace           log every debug and bus access to stderr\n"
		"  --rev Y|V         silicon revision reported in DBGMCU_IDCODE (default V)\n"
		"  --tck-hz N        JTAG clock frequency on the virtual clock (default 4000000)\n"
		"  --cpu-hz N        core clock on the virtual clock (default 64000000)\n"
		"  --help\n");
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
		{ "rev", required_argument, NULL, 'R' },
		{ "tck-hz", required_argument, NULL, 'T' },
		{ "cpu-hz", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){
		.bind_addr = "127.0.0.1", .port = 3335,
		.chip = { .rev_id = REV_ID_V, .tck_hz = 4000000, .cpu_hz = 64000000 },
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
	fd = socket(AF_INET, SOCK_STREAM, 0);
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
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
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

static struct persist_section state_sections(struct stm32h743 *chip)
{
	return (struct persist_section){ "flash", chip->mem.flash, FLASH_SIZE_MAX };
}

static void save_state(const struct options *o, struct stm32h743 *chip)
{
	struct persist_section s = state_sections(chip);

	if (o->state_file)
		persist_save(o->state_file, &s, 1);
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
	memset(chip->mem.flash, 0xFF, FLASH_SIZE_MAX);
	n = fread(chip->mem.flash, 1, FLASH_SIZE_MAX, f);
	bool too_big = fgetc(f) != EOF;

	fclose(f);
	if (too_big) {
		fprintf(stderr, "h743sim: flash image %s is larger than the %u KiB flash\n", path,
			FLASH_SIZE_MAX / 1024);
		return -1;
	}
	sim_info("flash: %zu bytes from %s at 0x%08x", n, path, FLASH_BASE);
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
static bool serve_client(int fd, struct stm32h743 *chip)
{
	static uint8_t in[65536], out[65536];
	ssize_t n = recv(fd, in, sizeof(in), 0);

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
	int fd = accept(listen_fd, NULL, NULL), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rbb_connect(&chip->wire);
	srv->connections++;
	sim_info("debugger connected (connection %llu)", (unsigned long long)srv->connections);
	return fd;
}

static void end_client(int *fd, const struct options *o, struct stm32h743 *chip,
		const struct server_stats *srv)
{
	close(*fd);
	*fd = -1;
	chip_settle(chip);
	sim_info("debugger disconnected; core %s", cm7_state_name(chip->core.state));
	save_state(o, chip);
	if (o->stats_file)
		stats_write(o->stats_file, chip, srv);
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
			else if (!serve_client(client, chip))
				end_client(&client, o, chip, &srv);
			continue;
		}
		if (n == 0)
			quiescent = chip_run_ahead(chip, RUNAHEAD_QUANTUM_PS);
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

	if (parse_options(argc, argv, &o) != 0)
		return 2;
	if (chip_init(&chip, &o.chip) != 0)
		return 1;
	if (o.state_file) {
		struct persist_section s = state_sections(&chip);

		if (persist_load(o.state_file, &s, 1) < 0)
			return 1;
	}
	if (o.flash_image && load_flash_image(o.flash_image, &chip) != 0)
		return 1;
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

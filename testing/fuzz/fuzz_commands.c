// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the argument parsing (and what follows it) of every
 * `stm32h743 ...` command, through OpenOCD's own command machinery: the
 * driver compiled with clang and the sanitizers, linked with OpenOCD's
 * libopenocd.a (built by gcc, not instrumented) from build/openocd-build.
 *
 * Set-up, once: an OpenOCD command context configured as for a board
 * (dummy adapter, JTAG, a DAP, a cortex_m target, two stm32h743 flash
 * banks), never `init`: the target is marked examined and halted and its
 * memory accesses go to a simulated STM32H743 (fuzz_memory.c), so probing,
 * option bytes, erase and program run against the simulator's flash
 * controller. Time is the simulator's: timeval_ms() and alive_sleep() are
 * wrapped (-Wl,--wrap), so a 2 s erase costs no real 2 s, and a sleep lets
 * the chip live SLEEP_SCALE times as long (as with a slow adapter: the
 * driver's timeouts still see consistent times), so the same erase is a
 * hundred polls, not thousands.
 *
 * Input: a configuration byte (chip variant, revision, fault, as for the
 * wire target), then words separated by '\n' or NUL: the subcommand and its
 * arguments. They reach the handler as exactly these words (a Tcl list, no
 * substitution), as if typed in the telnet console with braces. A word
 * "@NAME" is the file NAME of a small set of images (fuzz_images[]) written
 * to a private directory at start-up, which is also OpenOCD's script search
 * directory (where it looks for a file not in the working directory); words
 * with '/' are refused, so no input reaches files elsewhere (or /dev/stdin).
 *
 * Not reached: the flash loader running on the core (no work area:
 * target_run_algorithm needs a real cortex_m target), AP2 reads (no DAP
 * behind the target: stm32h743_read_apb_d fails as with AP2 unreachable),
 * `reset` (a command of OpenOCD's `init`; swap_bank ... reset gets
 * "invalid command").
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flash/nor/core.h>
#include <helper/command.h>
#include <helper/configuration.h>
#include <helper/log.h>
#include <jtag/adapter.h>
#include <target/arm_adi_v5.h>
#include <target/target.h>
#include <target/target_type.h>
#include <transport/transport.h>

#include "stm32h743.h"
#include "stm32h743_diag.h"
#include "fuzz_memory.h"

#define MAX_WORDS 12
#define SLEEP_SCALE 20

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int64_t __wrap_timeval_ms(void);
void __wrap_alive_sleep(uint64_t ms);

extern const struct flash_driver stm32h743_flash;

/* Images for verify_image and diagnose: binary, Intel hex, S-record. */
static const struct {
	const char *name;
	const char *text;
} fuzz_images[] = {
	{ "a.bin", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" },
	{ "e.bin", "" },
	{ "a.hex", ":020000040800F2\n:10000000000102030405060708090A0B0C0D0E0F78\n"
		":00000001FF\n" },
	{ "b.hex", ":020000040810E2\n:1000000055AA55AA55AA55AA55AA55AA55AA55AAF8\n"
		":00000001FF\n" },
	{ "a.s19", "S00600004844521B\nS3150800000000010203040506070809"
		"0A0B0C0D0E0F55\nS70508000000F2\n" },
};

static struct command_context *cmd_ctx;
static bool let_known_through;	/* H743_FUZZ_KNOWN: try the known defects too */
static struct target *target;
static char image_dir[64];

static int fake_read_memory(struct target *t, target_addr_t address, uint32_t size,
		uint32_t count, uint8_t *buffer)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t v;

		if (!fuzz_mem_read(address + (uint64_t)i * size, size, &v))
			return ERROR_TARGET_DATA_ABORT;
		for (uint32_t b = 0; b < size; b++)
			buffer[i * size + b] = v >> (8 * b);
	}
	(void)t;
	return ERROR_OK;
}

static int fake_write_memory(struct target *t, target_addr_t address, uint32_t size,
		uint32_t count, const uint8_t *buffer)
{
	for (uint32_t i = 0; i < count; i++) {
		uint32_t v = 0;

		for (uint32_t b = 0; b < size; b++)
			v |= (uint32_t)buffer[i * size + b] << (8 * b);
		if (!fuzz_mem_write(address + (uint64_t)i * size, size, v))
			return ERROR_TARGET_DATA_ABORT;
	}
	(void)t;
	return ERROR_OK;
}

/* Bytes, halfwords, words as alignment allows (target.c's default does the same). */
static int fake_buffer(struct target *t, target_addr_t address, uint32_t count,
		uint8_t *in, const uint8_t *out)
{
	while (count) {
		uint32_t size = (address & 3) == 0 && count >= 4 ? 4 :
			(address & 1) == 0 && count >= 2 ? 2 : 1;
		uint32_t n = size == 4 ? count / 4 : 1;
		int retval = in ? fake_read_memory(t, address, size, n, in) :
			fake_write_memory(t, address, size, n, out);

		if (retval != ERROR_OK)
			return retval;
		address += size * n;
		count -= size * n;
		if (in)
			in += size * n;
		else
			out += size * n;
	}
	return ERROR_OK;
}

static int fake_read_buffer(struct target *t, target_addr_t address, uint32_t count,
		uint8_t *buffer)
{
	return fake_buffer(t, address, count, buffer, NULL);
}

static int fake_write_buffer(struct target *t, target_addr_t address, uint32_t count,
		const uint8_t *buffer)
{
	return fake_buffer(t, address, count, NULL, buffer);
}

/* Memory is flat (no MMU), as target.c's target_init_one() sets up for cortex_m. */
static int fake_no_mmu(struct target *t, int *enabled)
{
	(void)t;
	*enabled = 0;
	return ERROR_OK;
}

static int fake_virt2phys(struct target *t, target_addr_t virtual, target_addr_t *physical)
{
	(void)t;
	*physical = virtual;
	return ERROR_OK;
}

int64_t __wrap_timeval_ms(void)
{
	return fuzz_mem_now_ms();
}

void __wrap_alive_sleep(uint64_t ms)
{
	fuzz_mem_sleep(ms * SLEEP_SCALE);
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_commands: %s\n", what);
	exit(1);
}

static void write_images(void)
{
	char path[128];

	snprintf(image_dir, sizeof(image_dir), "/tmp/h743-fuzz-images-XXXXXX");
	if (!mkdtemp(image_dir))
		die("cannot create the image directory");
	for (size_t i = 0; i < ARRAY_SIZE(fuzz_images); i++) {
		/* a.bin holds a NUL: the binary images have a fixed size */
		size_t len = strstr(fuzz_images[i].name, ".bin") ?
			(fuzz_images[i].text[0] ? 32 : 0) : strlen(fuzz_images[i].text);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", image_dir, fuzz_images[i].name);
		f = fopen(path, "wb");
		if (!f || fwrite(fuzz_images[i].text, 1, len, f) != len || fclose(f) != 0)
			die("cannot write an image");
	}
}

static void remove_images(void)
{
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(fuzz_images); i++) {
		snprintf(path, sizeof(path), "%s/%s", image_dir, fuzz_images[i].name);
		unlink(path);
	}
	rmdir(image_dir);
}

static int print_output(struct command_context *context, const char *line)
{
	(void)context;
	fputs(line, stderr);
	return ERROR_OK;
}

/* The lines of a board config, as tcl/board/h743sim.cfg would give them. */
static const char *const config_lines[] = {
	"debug_level 3",
	"adapter driver dummy",
	"transport select jtag",
	"jtag newtap h743 cpu -irlen 4 -expected-id 0x6ba00477",
	"dap create h743.dap -chain-position h743.cpu",
	"target create h743.cpu0 cortex_m -dap h743.dap -ap-num 0",
	"flash bank h743.bank1 stm32h743 0x08000000 0 0 0 h743.cpu0",
	"flash bank h743.bank2 stm32h743 0x08100000 0 0 0 h743.cpu0",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	let_known_through = getenv("H743_FUZZ_KNOWN") != NULL;
	if (!fuzz_mem_reset(0))
		die("cannot create the simulated chip");
	write_images();
	atexit(remove_images);
	log_init();
	/* as openocd's command line does; image files are looked up there too */
	add_script_search_dir(image_dir);
	cmd_ctx = command_init("", NULL);
	if (!cmd_ctx || log_register_commands(cmd_ctx) != ERROR_OK ||
	    transport_register_commands(cmd_ctx) != ERROR_OK ||
	    adapter_register_commands(cmd_ctx) != ERROR_OK ||
	    target_register_commands(cmd_ctx) != ERROR_OK ||
	    flash_register_commands(cmd_ctx) != ERROR_OK ||
	    dap_register_commands(cmd_ctx) != ERROR_OK)
		die("cannot register OpenOCD's commands");
	/* H743_FUZZ_VERBOSE: OpenOCD's log and the commands' output on stderr */
	if (getenv("H743_FUZZ_VERBOSE"))
		command_set_output_handler(cmd_ctx, print_output, NULL);
	else if (command_run_line(cmd_ctx, (char[]){ "log_output /dev/null" }) != ERROR_OK)
		die("cannot silence the log");
	command_context_mode(cmd_ctx, COMMAND_CONFIG);
	for (size_t i = 0; i < ARRAY_SIZE(config_lines); i++) {
		char line[128];

		snprintf(line, sizeof(line), "%s", config_lines[i]);
		if (command_run_line(cmd_ctx, line) != ERROR_OK) {
			fprintf(stderr, "fuzz_commands: '%s' failed\n", config_lines[i]);
			exit(1);
		}
	}
	command_context_mode(cmd_ctx, COMMAND_EXEC);
	target = get_target("h743.cpu0");
	if (!target)
		die("no target");
	/*
	 * What `init` does for the target (target.c target_init_one()), with the
	 * memory side pointing at the simulator; examine is never run.
	 */
	if (target->type->init_target(cmd_ctx, target) != ERROR_OK)
		die("cannot initialise the target");
	target->type->read_memory = fake_read_memory;
	target->type->write_memory = fake_write_memory;
	target->type->read_phys_memory = fake_read_memory;
	target->type->write_phys_memory = fake_write_memory;
	target->type->read_buffer = fake_read_buffer;
	target->type->write_buffer = fake_write_buffer;
	target->type->mmu = fake_no_mmu;
	target->type->virt2phys = fake_virt2phys;
	target_set_examined(target);
	return 0;
}

/* Forget what the driver learnt from the previous input. */
static void reset_driver(void)
{
	struct stm32h743_record *rec = stm32h743_record_of(target);

	for (struct flash_bank *b = flash_bank_list(); b; b = b->next) {
		struct stm32h743_bank *info = b->driver_priv;

		info->probed = false;
		info->psize = 3;
	}
	if (rec) {
		struct stm32h743_record *next = rec->next;
		uint32_t *hash[2] = { rec->word_hash[0], rec->word_hash[1] };

		memset(rec, 0, sizeof(*rec));
		rec->target = target;
		rec->next = next;
		for (unsigned int i = 0; i < 2; i++) {
			rec->word_hash[i] = hash[i];	/* kept, emptied */
			if (hash[i])
				memset(hash[i], 0, STM32H743_WORDS_PER_BANK * sizeof(uint32_t));
		}
	}
	memset(stm32h743_last_diagnosis(), 0, sizeof(struct stm32h743_diagnosis));
	stm32h743_clear_last_failure();
	/* halted, as after `reset halt` (OpenOCD's view and the simulated core's) */
	target->state = TARGET_HALTED;
	fuzz_mem_write(0xE000EDF0, 4, 0xA05F0003);	/* DHCSR: C_DEBUGEN | C_HALT */
}

/*
 * A directory given as an image file: OpenOCD 0.12's fileio takes its size
 * as (size_t)-1, and image.c's S-record reader then asks malloc() for half
 * of that (image_mot_buffer_complete_inner(), line 775; NULL in a normal
 * build, and the directory reads as an empty image). Not our code: such
 * words are left out ("." and ".." too, the working and image directories).
 */
static bool names_directory(const char *word)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", image_dir, word);
	return (stat(word, &st) == 0 && S_ISDIR(st.st_mode)) ||
		(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/*
 * Known defects, left out so that fuzzing goes on past them: the directory
 * above, in OpenOCD's core (see doc/fuzzing.md). H743_FUZZ_KNOWN=1 lets them
 * through; the reproducers are in testing/fuzz/known/commands/.
 */
static bool known_defect(Jim_Obj *const *words, int n)
{
	if (let_known_through)
		return false;
	for (int i = 2; i < n; i++)
		if (names_directory(Jim_String(words[i])))
			return true;
	return false;
}

/* A command of the driver's registration tables (groups and their chains). */
static bool in_commands(const struct command_registration *c, const char *name)
{
	for (; c->name || c->chain; c++) {
		if (c->name && c->handler && !strcmp(c->name, name))
			return true;
		if (c->chain && in_commands(c->chain, name))
			return true;
	}
	return false;
}

/* Every `stm32h743 ...` subcommand, as the driver registers them (no list here). */
static bool known_subcommand(const char *name)
{
	return in_commands(stm32h743_flash.commands, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Jim_Interp *interp = cmd_ctx->interp;
	Jim_Obj *words[MAX_WORDS + 1];
	char *text, *rest, *w;
	int n = 0;

	if (size < 2)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	/* a separator at the very end ends the last word, it does not add an empty one */
	if (text[size - 2] == '\n' || !text[size - 2])
		text[size - 2] = 0;
	for (size_t i = 0; i + 2 < size; i++)
		if (!text[i])
			text[i] = '\n';
	words[n++] = Jim_NewStringObj(interp, "stm32h743", -1);
	rest = text;
	while ((w = strsep(&rest, "\n")) && n <= MAX_WORDS) {
		char path[160];

		if (strchr(w, '/') || (n == 1 && !known_subcommand(w)))
			goto out;
		if (w[0] == '@')
			snprintf(path, sizeof(path), "%s/%s", image_dir, w + 1);
		words[n++] = Jim_NewStringObj(interp, w[0] == '@' ? path : w, -1);
	}
	if (w || n < 2 || known_defect(words, n) || !fuzz_mem_reset(data[0]))
		goto out;	/* too many words, or none */
	reset_driver();

	Jim_Obj *line = Jim_NewListObj(interp, words, n);

	n = 0;
	Jim_IncrRefCount(line);
	command_run_line(cmd_ctx, (char *)Jim_GetString(line, NULL));
	Jim_DecrRefCount(interp, line);
	Jim_SetEmptyResult(interp);
out:
	for (int i = 0; i < n; i++)
		Jim_FreeNewObj(interp, words[i]);
	free(text);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats.h"
#include "log.h"
#include "stm32h743.h"

#include <stdio.h>
#include <string.h>

static unsigned long long ns(uint64_t ps)
{
	return (unsigned long long)(ps / PS_PER_NS);
}

static void write_flash_stats(FILE *f, const struct flash *fl)
{
	fprintf(f, "  \"flash\": {\"variant\": \"%s\", \"swapped\": %s, \"rdp_level\": %u, "
		"\"option_changes\": %llu, \"ecc_bad_words\": %u, \"garbled_reads\": %llu, "
		"\"zero_reads\": %llu, \"instant_done_ops\": %llu, \"vos_flipped_words\": %llu, "
		"\"banks\": [\n",
		fl->variant->name, fl->swapped ? "true" : "false", flash_rdp_level(fl),
		(unsigned long long)fl->option_changes, fl->bad_words,
		(unsigned long long)fl->garbled_reads, (unsigned long long)fl->zero_reads,
		(unsigned long long)fl->hollow_ops, (unsigned long long)fl->vos_flipped_words);
	for (unsigned int i = 0; i < 2; i++) {
		const struct flash_bank_ctrl *b = &fl->bank[i];

		fprintf(f, "    {\"busy_ns\": %llu, \"words_programmed\": %llu, "
			"\"sectors_erased\": %llu, \"bank_erases\": %llu, \"crc_runs\": %llu}%s\n",
			ns(b->busy_ps), (unsigned long long)b->words_programmed,
			(unsigned long long)b->sectors_erased, (unsigned long long)b->bank_erases,
			(unsigned long long)b->crc_runs, i ? "" : ",");
	}
	fprintf(f, "  ]}\n");
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* The clock tree as the flash sees it, and whether its reads are garbled. */
static void write_clock_stats(FILE *f, const struct stm32h743 *chip)
{
	const struct clock_tree *c = &chip->clocks;

	fprintf(f, "  \"clocks\": {\"sys_hz\": %llu, \"aclk_hz\": %llu, \"vos\": %u, "
		"\"latency\": %u, \"latency_needed\": %u, \"reads_garbled\": %s},\n",
		(unsigned long long)c->sys_hz, (unsigned long long)c->aclk_hz, c->vos,
		chip->flash.acr & ACR_LATENCY_MASK, c->latency_needed,
		json_bool(flash_latency_short(&chip->flash)));
}

/* Reset flags, the Stop flag and the watchdog. */
static void write_reset_stats(FILE *f, struct stm32h743 *chip)
{
	struct iwdg *w = &chip->iwdg;

	fprintf(f, "  \"rcc_rsr\": %u,\n", regdev_get(&chip->periph.rcc, RCC_RSR));
	fprintf(f, "  \"pwr_cpucr\": %u,\n", regdev_get(&chip->periph.pwr, PWR_CPUCR));
	fprintf(f, "  \"iwdg\": {\"running\": %s, \"frozen\": %s, \"counter\": %u, "
		"\"reloads\": %llu, \"expirations\": %llu},\n", json_bool(w->running),
		json_bool(w->frozen), iwdg_counter(w), (unsigned long long)w->reloads,
		(unsigned long long)w->expirations);
}

static void write_swd_stats(FILE *f, const struct stm32h743 *chip)
{
	const struct vdebug *vd = &chip->vdebug;
	const struct swd_dp *swd = &chip->swd_dp;

	fprintf(f, "  \"transport\": \"%s\",\n", chip->transport == TRANSPORT_SWD ? "swd" :
		chip->transport == TRANSPORT_JTAG ? "jtag" : "none");
	fprintf(f, "  \"swd\": {\"swclk_hz\": %llu, \"swclk_cycles\": %llu, \"packets\": %llu, "
		"\"batches\": %llu, \"error_batches\": %llu, \"line_resets\": %llu, "
		"\"faults\": %llu, \"unanswered\": %llu},\n",
		(unsigned long long)(vd->base_hz / vd->divider), (unsigned long long)vd->swclk_cycles,
		(unsigned long long)vd->transactions, (unsigned long long)vd->batches,
		(unsigned long long)vd->error_batches, (unsigned long long)swd->line_resets,
		(unsigned long long)swd->faults, (unsigned long long)swd->protocol_errors);
}

/* The L1 caches: D-side traffic, maintenance, and I-side lines gone stale. */
static void write_cache_stats(FILE *f, const struct stm32h743 *chip)
{
	const struct cm7 *core = &chip->core;
	const struct cache *c = &core->cache;
	const struct cache_stats *st = &c->stats;

	fprintf(f, "  \"cache\": {\"dcache_on\": %s, \"icache_on\": %s, \"d_valid_lines\": %u, "
		"\"d_hits\": %llu, \"d_misses\": %llu, \"d_fills\": %llu, \"d_evictions\": %llu, "
		"\"d_writebacks\": %llu, \"d_dirty_lost\": %llu, \"d_maintenance\": %llu, "
		"\"debug_hits\": %llu, \"debug_bypasses\": %llu, \"i_valid_lines\": %u, "
		"\"i_fills\": %llu, \"i_evictions\": %llu, \"i_stale_lines\": %u, "
		"\"i_stale_marked\": %llu, \"i_stale_dropped\": %llu, \"i_maintenance\": %llu},\n",
		json_bool(core->dc_on), json_bool(core->ic_on), c->d_valid,
		(unsigned long long)st->d_hits, (unsigned long long)st->d_misses,
		(unsigned long long)st->d_fills, (unsigned long long)st->d_evictions,
		(unsigned long long)st->d_writebacks, (unsigned long long)st->d_dirty_lost,
		(unsigned long long)st->d_maintenance,
		(unsigned long long)chip->cpu_bus.cache_hits + chip->d3_bus.cache_hits,
		(unsigned long long)chip->cpu_bus.cache_bypasses + chip->d3_bus.cache_bypasses,
		c->i_valid,
		(unsigned long long)st->i_fills, (unsigned long long)st->i_evictions, c->i_stale,
		(unsigned long long)st->i_stale_marked, (unsigned long long)st->i_stale_dropped,
		(unsigned long long)st->i_maintenance);
}

/* Written to a temporary file and renamed, so readers never see half a file. */
int stats_write(const char *path, struct stm32h743 *chip, const struct server_stats *srv)
{
	char tmp[4096];
	const struct vclock *clk = &chip->clock;
	struct cm7 *core = &chip->core;

	if (chip->watch_dirty)
		chip_update_watches(chip);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");

	if (!f) {
		sim_warn("cannot write statistics to %s", tmp);
		return -1;
	}
	fprintf(f, "{\n");
	fprintf(f, "  \"tck_hz\": %llu,\n", (unsigned long long)chip->cfg.tck_hz);
	fprintf(f, "  \"cpu_hz\": %llu,\n", (unsigned long long)chip->cfg.cpu_hz);
	fprintf(f, "  \"tck_cycles\": %llu,\n", (unsigned long long)chip->tck_cycles);
	fprintf(f, "  \"virtual_ns\": %llu,\n", ns(clk->now));
	fprintf(f, "  \"wire_ns\": %llu,\n", ns(clk->by_source[VCLOCK_WIRE]));
	fprintf(f, "  \"runahead_ns\": %llu,\n", ns(clk->by_source[VCLOCK_RUNAHEAD]));
	fprintf(f, "  \"skip_ns\": %llu,\n", ns(clk->by_source[VCLOCK_SKIP]));
	fprintf(f, "  \"cpu_ns\": %llu,\n", ns(core->instructions * chip->cpu_period_ps));
	fprintf(f, "  \"cpu_instructions\": %llu,\n", (unsigned long long)core->instructions);
	fprintf(f, "  \"dp_transactions\": %llu,\n", (unsigned long long)chip->dp.dp_transactions);
	fprintf(f, "  \"ap_transactions\": %llu,\n", (unsigned long long)chip->dp.ap_transactions);
	/* per access port: AP0 is the debugger's path to memory through the core */
	fprintf(f, "  \"ap0_transactions\": %llu,\n", (unsigned long long)chip->ap0.transactions);
	fprintf(f, "  \"ap1_transactions\": %llu,\n", (unsigned long long)chip->ap1.transactions);
	fprintf(f, "  \"ap2_transactions\": %llu,\n", (unsigned long long)chip->ap2.transactions);
	fprintf(f, "  \"sticky_errors\": %llu,\n", (unsigned long long)chip->dp.sticky_errors);
	fprintf(f, "  \"bus_errors\": %llu,\n", (unsigned long long)chip->cpu_bus.errors);
	fprintf(f, "  \"wire_bytes_in\": %llu,\n", (unsigned long long)chip_wire_bytes_in(chip));
	fprintf(f, "  \"wire_bytes_out\": %llu,\n",
		(unsigned long long)chip->rbb.bytes_out + chip->vdebug.bytes_out);
	write_swd_stats(f, chip);
	fprintf(f, "  \"system_resets\": %llu,\n", (unsigned long long)chip->system_resets);
	fprintf(f, "  \"connections\": %llu,\n", (unsigned long long)srv->connections);
	fprintf(f, "  \"refused_connections\": %llu,\n", (unsigned long long)srv->refused);
	fprintf(f, "  \"dropped_connections\": %llu,\n", (unsigned long long)srv->dropped);
	fprintf(f, "  \"core\": {\"state\": \"%s\", \"pc\": %u, \"stop\": %s, "
		"\"ap0_lost\": %s, \"ipsr\": %u, \"exceptions\": %llu, \"cfsr\": %u, "
		"\"hfsr\": %u},\n", cm7_state_name(core->state), cm7_pc(core),
		json_bool(cm7_is_sleeping(core) && core->sleep_deep), json_bool(chip->d1_debug_lost),
		cm7_read_reg(core, 16) & 0x1FF, (unsigned long long)core->exceptions_taken,
		core->nvic.cfsr, core->nvic.hfsr);
	fprintf(f, "  \"debug_port_off\": %s,\n", json_bool(chip->chain.disabled));
	write_clock_stats(f, chip);
	write_cache_stats(f, chip);
	write_reset_stats(f, chip);
	write_flash_stats(f, &chip->flash);
	fprintf(f, "}\n");
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		sim_warn("cannot write statistics to %s", path);
		return -1;
	}
	return 0;
}

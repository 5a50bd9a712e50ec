// SPDX-License-Identifier: GPL-2.0-or-later

/*
 * Why did a verify, program or erase of the STM32H743 flash fail? A bit
 * pattern cannot tell a different file from a bank swap, a weak supply or a
 * read path that returns garbage; evidence can. This module reads the
 * evidence (stm32h743_evidence.c), looks at the flash words that differ, at
 * the other bank and at shifted addresses, compares them with what this
 * driver programmed in this session (stm32h743_record.c), scores every
 * candidate cause, and reports: the verdict first, the evidence for and
 * against each remaining cause, the next step. `stm32h743 diagnose` and
 * `stm32h743 last_failure` (stm32h743_diagcmds.c) return it as a Tcl dict.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>

#include <helper/time_support.h>
#include <target/target.h>

#include "stm32h743_diag.h"

#define MAX_SAMPLES		4	/* differing flash words looked at closely */
#define MAX_REFERENCES		4	/* erased words read as a reference */
#define CONFIDENT		70	/* a score this high names a cause... */
#define MARGIN			15	/* ...when the next is this far behind */
#define POSSIBLE		40	/* a cause below this is not listed as possible */

/* ST's timing floor (DS12110 tables 43/140, typical x64): nothing real is faster. */
#define ERASE_MIN_MS		1000
#define PROGRAM_MIN_US		100

#define PWR_CSR1_ACTVOSRDY	BIT(13)
#define PWR_CR3_BYPASS		BIT(0)
#define PWR_CR3_LDOEN		BIT(1)
#define PWR_CPUCR_STOPF		BIT(5)
#define DBGMCU_CR_DBGSTOP_D1	BIT(1)
#define SCB_CCR_DC		BIT(16)
#define SCB_CCR_IC		BIT(17)
#define DHCSR_S_HALT		BIT(17)

static const char *const cause_names[CAUSE_COUNT] = {
	[CAUSE_FILE_DIFFERS] = "file-differs",
	[CAUSE_OTHER_BANK] = "other-bank",
	[CAUSE_NOT_ERASED] = "not-erased",
	[CAUSE_PROGRAM_FAILED] = "program-failed",
	[CAUSE_WAIT_STATES] = "wait-states",
	[CAUSE_TARGET_INTERFERED] = "target-interfered",
	[CAUSE_PROTECTION] = "protection",
	[CAUSE_LINK_LOST] = "link-lost",
	[CAUSE_STALE_CACHE] = "stale-cache",
	[CAUSE_NONE] = "none",
	[CAUSE_UNKNOWN] = "unknown",
};

const char *stm32h743_cause_name(enum stm32h743_cause cause)
{
	return cause < CAUSE_COUNT ? cause_names[cause] : "unknown";
}

/* One differing flash word, read twice, with what it should hold. */
struct word_sample {
	target_addr_t addr;
	uint8_t expected[STM32H743_FLASH_WORD];
	uint8_t got[STM32H743_FLASH_WORD];
	uint8_t again[STM32H743_FLASH_WORD];
	bool read_ok, stable, erased, zero;
	bool and_pattern;		/* got = expected AND something: bits only cleared */
	unsigned int up, down;		/* bits 0 -> 1 and 1 -> 0 against expected */
	uint32_t recorded;		/* hash this session programmed there, 0 = none */
};

/* Everything the cause tests look at. */
struct diag_context {
	const struct stm32h743_failure *f;
	struct stm32h743_diagnosis *d;
	struct flash_bank *bank;
	struct stm32h743_info_view {
		unsigned int index;
		unsigned int physical;
		bool physical_known;
		bool two_banks;
	} b;
	struct stm32h743_record *rec;
	struct word_sample sample[MAX_SAMPLES];
	unsigned int nsamples;
	/* reference reads of words this driver erased and did not program since */
	unsigned int refs, refs_bad, refs_zero, refs_vary;
	target_addr_t ref_addr;
	uint8_t ref_value;
	/* where else the expected data is */
	unsigned int other_bank_matches, other_bank_tried;
	target_addr_t other_addr;
	bool shifted;
	int64_t shift;
	bool supply_checked;
	char supply[300];		/* the supply evidence found, for the verdict */
	char swap_story[200];		/* what happened to the bank swap, for the verdict */
	/* words of the failing sector outside the image, when not erased this session */
	unsigned int outside, outside_data, outside_zero;
	target_addr_t outside_addr;
};

static struct stm32h743_diagnosis last;

struct stm32h743_diagnosis *stm32h743_last_diagnosis(void)
{
	return &last;
}

/*
 * The verdict is the error message of the flash command whose operation
 * failed, never of a later command that fails before reaching the driver:
 * pending from the diagnosis until the reason is taken or the next command
 * looks up a bank (every flash command probes its bank first).
 */
static bool reason_pending;

/* Why the driver refused an operation before touching the chip, if it did. */
static char refusal[400];

void stm32h743_clear_last_failure(void)
{
	last.valid = false;
	reason_pending = false;
	refusal[0] = 0;
}

void stm32h743_forget_failure_reason(void)
{
	reason_pending = false;
	refusal[0] = 0;
}

void stm32h743_refused(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(refusal, sizeof(refusal), fmt, ap);
	va_end(ap);
	LOG_ERROR("%s", refusal);
}

const char *stm32h743_last_verdict(void)
{
	return last.valid && last.cause != CAUSE_NONE ? last.verdict : NULL;
}

/* The flash core's failure_reason: a failed flash command's error message. */
const char *stm32h743_failure_reason(struct flash_bank *bank)
{
	static char reason[sizeof(last.verdict) + sizeof(refusal)];

	(void)bank;
	/* a diagnosis explains more than the refusal it may have started from */
	if ((!reason_pending || !stm32h743_last_verdict()) && refusal[0]) {
		/* a refusal is whole in itself: "write: bank 1 sector 0 is ..." */
		snprintf(reason, sizeof(reason), "%s", refusal);
		refusal[0] = 0;
		return reason;
	}
	refusal[0] = 0;
	if (!reason_pending || !stm32h743_last_verdict())
		return NULL;
	reason_pending = false;
	snprintf(reason, sizeof(reason), "%s failed: %s", last.operation, last.verdict);
	return reason;
}

/* ---- small text helpers ------------------------------------------------- */

/* snprintf whose truncation is intended: messages are cut, never overflow. */
__attribute__((format(printf, 3, 4)))
static void put(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

static void append(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t used = strlen(buf);

	if (used + 3 >= size)
		return;
	if (used) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	vsnprintf(buf + used, size - used, fmt, ap);
}

__attribute__((format(printf, 4, 5)))
static void support(struct diag_context *c, enum stm32h743_cause cause, int score,
		const char *fmt, ...)
{
	struct stm32h743_candidate *k = &c->d->cand[cause];
	char text[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	k->score = MAX(k->score, score);
	snprintf(k->evidence + strlen(k->evidence), sizeof(k->evidence) - strlen(k->evidence),
		"%s%s", k->evidence[0] ? "; " : "", text);
	k->headline_new = score > k->headline_score;
	if (k->headline_new) {
		k->detail[0] = 0;
		k->headline_score = score;
		snprintf(k->headline, sizeof(k->headline), "%s", text);
	}
}

/* The finer identifier of the evidence just given, kept if it leads its cause. */
static void tag(struct diag_context *c, enum stm32h743_cause cause, const char *detail)
{
	struct stm32h743_candidate *k = &c->d->cand[cause];

	if (k->headline_new)
		snprintf(k->detail, sizeof(k->detail), "%s", detail);
}

/* Evidence against a cause: lowers its score, and says why. */
__attribute__((format(printf, 4, 5)))
static void oppose(struct diag_context *c, enum stm32h743_cause cause, int penalty,
		const char *fmt, ...)
{
	struct stm32h743_candidate *k = &c->d->cand[cause];
	char text[256];
	va_list ap;

	k->score = MAX(0, k->score - penalty);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(k->evidence + strlen(k->evidence), sizeof(k->evidence) - strlen(k->evidence),
		"%sagainst: %s", k->evidence[0] ? "; " : "", text);
}

__attribute__((format(printf, 2, 3)))
static void fact(struct diag_context *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(c->d->facts, sizeof(c->d->facts), fmt, ap);
	va_end(ap);
}

static bool have(struct diag_context *c, enum stm32h743_evidence_reg r)
{
	return c->d->ev.have[r];
}

static uint32_t reg(struct diag_context *c, enum stm32h743_evidence_reg r)
{
	return c->d->ev.reg[r];
}

static unsigned int sector_of(target_addr_t addr)
{
	return (addr & 0xFFFFF) / STM32H743_SECTOR_SIZE;
}

static unsigned int bank_of(target_addr_t addr)
{
	return (addr & 0x100000) ? 1 : 0;
}

static const char *file_name(const struct stm32h743_failure *f)
{
	return f->file ? f->file : "the image";
}

/* ---- reading the flash words ------------------------------------------- */

static bool in_range(const struct stm32h743_failure *f, target_addr_t a)
{
	return a >= f->addr && a < f->addr + f->len;
}

static void expected_word(const struct stm32h743_failure *f, target_addr_t word,
		const uint8_t *got, uint8_t *out)
{
	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		out[i] = in_range(f, word + i) ? f->expected[word + i - f->addr] : got[i];
}

static bool all_bytes(const uint8_t *w, uint8_t v)
{
	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++)
		if (w[i] != v)
			return false;
	return true;
}

static void take_sample(struct diag_context *c, target_addr_t word)
{
	struct word_sample *s = &c->sample[c->nsamples];
	struct target *target = c->bank->target;

	memset(s, 0, sizeof(*s));
	s->addr = word;
	s->read_ok = stm32h743_read_word(target, word, s->got) &&
		stm32h743_read_word(target, word, s->again);
	if (!s->read_ok)
		return;
	c->nsamples++;
	s->stable = !memcmp(s->got, s->again, STM32H743_FLASH_WORD);
	s->erased = all_bytes(s->got, 0xFF);
	s->zero = all_bytes(s->got, 0x00);
	if (c->f->expected)
		expected_word(c->f, word, s->got, s->expected);
	else
		memcpy(s->expected, s->got, STM32H743_FLASH_WORD);
	s->and_pattern = true;
	for (unsigned int i = 0; i < STM32H743_FLASH_WORD; i++) {
		s->up += __builtin_popcount(s->got[i] & ~s->expected[i] & 0xFF);
		s->down += __builtin_popcount(s->expected[i] & ~s->got[i] & 0xFF);
		s->and_pattern &= (s->got[i] & ~s->expected[i] & 0xFF) == 0;
	}
	s->and_pattern &= s->down > 0;
	if (c->b.physical_known)
		s->recorded = stm32h743_recorded_hash(c->bank, c->rec, c->b.physical, word);
}

/* The differing words to look at: the first one, and a few spread over the rest. */
static void take_samples(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	target_addr_t mask = ~(target_addr_t)(STM32H743_FLASH_WORD - 1);

	if (f->mismatch)
		take_sample(c, f->first_bad & mask);
	for (unsigned int i = 0; i < f->nsample_addrs && c->nsamples < MAX_SAMPLES; i++)
		if ((f->sample_addrs[i] & mask) != (f->first_bad & mask))
			take_sample(c, f->sample_addrs[i] & mask);
	if (f->not_erased && c->nsamples < MAX_SAMPLES)
		take_sample(c, f->not_erased_addr & mask);
}

/*
 * A sector this session did not erase: does it hold data outside the image?
 * Then it was not erased before the image was programmed into it.
 */
static void sector_outside_data(struct diag_context *c, target_addr_t near)
{
	target_addr_t start = near & ~(target_addr_t)(STM32H743_SECTOR_SIZE - 1);
	target_addr_t end = start + STM32H743_SECTOR_SIZE;
	const target_addr_t word_mask = ~(target_addr_t)(STM32H743_FLASH_WORD - 1);
	target_addr_t probes[] = {
		(c->f->addr + c->f->len + STM32H743_FLASH_WORD - 1) & word_mask,
		(c->f->addr & word_mask) - STM32H743_FLASH_WORD,
		end - STM32H743_FLASH_WORD,
		start,
	};

	if (!c->f->expected)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		uint8_t w[STM32H743_FLASH_WORD];
		target_addr_t a = probes[i];

		if (a < start || a >= end || in_range(c->f, a) ||
		    (a + STM32H743_FLASH_WORD > c->f->addr && a < c->f->addr + c->f->len) ||
		    !stm32h743_read_word(c->bank->target, a, w))
			continue;
		c->outside++;
		c->outside_zero += all_bytes(w, 0x00);
		if (!all_bytes(w, 0xFF) && !c->outside_data++)
			c->outside_addr = a;
	}
}

/*
 * Words of a sector this driver erased and has not programmed since must
 * read 0xFF: if they read 0x00 or change between two reads, reads do not
 * reach the array, whatever was written.
 */
static void reference_reads(struct diag_context *c, target_addr_t near)
{
	if (!c->rec || !c->b.physical_known)
		return;
	unsigned int sector = sector_of(near);
	unsigned int physical = c->b.physical;

	if (bank_of(near) != c->b.index)
		return;
	if (!c->rec->sector[physical][sector].erased) {
		sector_outside_data(c, near);
		return;
	}
	/* an erase that did not happen leaves no reference */
	if (c->rec->sector[physical][sector].erase_instant)
		return;
	target_addr_t start = (near & ~(target_addr_t)(STM32H743_SECTOR_SIZE - 1));
	target_addr_t probes[] = {
		start + STM32H743_SECTOR_SIZE - STM32H743_FLASH_WORD,
		start + STM32H743_SECTOR_SIZE / 2,
		start + STM32H743_SECTOR_SIZE / 4,
		start,
		(c->f->addr + c->f->len + STM32H743_FLASH_WORD - 1) &
			~(target_addr_t)(STM32H743_FLASH_WORD - 1),
	};

	for (size_t i = 0; i < ARRAY_SIZE(probes) && c->refs < MAX_REFERENCES; i++) {
		target_addr_t a = probes[i];
		uint8_t w1[STM32H743_FLASH_WORD], w2[STM32H743_FLASH_WORD];

		if (a < start || a >= start + STM32H743_SECTOR_SIZE ||
		    stm32h743_recorded_hash(c->bank, c->rec, physical, a) ||
		    (c->f->expected && in_range(c->f, a)))
			continue;
		if (!stm32h743_read_word(c->bank->target, a, w1) ||
		    !stm32h743_read_word(c->bank->target, a, w2))
			continue;
		c->refs++;
		if (memcmp(w1, w2, sizeof(w1)) != 0)
			c->refs_vary++;
		if (!all_bytes(w1, 0xFF)) {
			if (!c->refs_bad) {
				c->ref_addr = a;
				c->ref_value = w1[0];
			}
			c->refs_bad++;
			c->refs_zero += all_bytes(w1, 0x00);
		}
	}
}

/* Is the expected data in the other bank, at the same offset? */
static void look_in_other_bank(struct diag_context *c)
{
	if (!c->b.two_banks || !c->f->expected)
		return;
	for (unsigned int i = 0; i < c->nsamples; i++) {
		struct word_sample *s = &c->sample[i];
		uint8_t w[STM32H743_FLASH_WORD];
		target_addr_t other = s->addr ^ 0x100000;

		if (all_bytes(s->expected, 0xFF) || !stm32h743_read_word(c->bank->target, other, w))
			continue;
		c->other_bank_tried++;
		if (!memcmp(w, s->expected, sizeof(w))) {
			c->other_bank_matches++;
			if (!c->other_addr)
				c->other_addr = other;
		}
	}
}

/* Does the flash hold the file at a common wrong offset (sector, bootloader sizes)? */
static void look_for_shift(struct diag_context *c)
{
	static const int64_t deltas[] = {
		0x20, 0x100, 0x200, 0x400, 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000,
		0x40000, 0x80000,
	};
	const struct word_sample *probe[2] = { NULL, NULL };
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nsamples && n < 2; i++)
		if (!all_bytes(c->sample[i].expected, 0xFF))
			probe[n++] = &c->sample[i];
	if (!n || !c->f->expected)
		return;
	for (size_t i = 0; i < 2 * ARRAY_SIZE(deltas); i++) {
		int64_t delta = (i & 1) ? -deltas[i / 2] : deltas[i / 2];
		bool all = true;

		for (unsigned int k = 0; k < n && all; k++) {
			target_addr_t a = probe[k]->addr + delta;
			uint8_t w[STM32H743_FLASH_WORD];

			all = a >= STM32H743_BANK1_BASE && a < STM32H743_BANK2_BASE + 0x100000 &&
				stm32h743_read_word(c->bank->target, a, w) &&
				!memcmp(w, probe[k]->expected, sizeof(w));
		}
		if (all) {
			c->shifted = true;
			c->shift = delta;
			return;
		}
	}
}

/* ---- the cause tests ------------------------------------------------------ */

static void test_link(struct diag_context *c)
{
	const struct stm32h743_evidence *ev = &c->d->ev;

	if (ev->ap0_ok && !ev->failed_reads)
		return;
	if (!ev->ap0_ok && !ev->ap2_ok) {
		support(c, CAUSE_LINK_LOST, 95, "no access port answers (DBGMCU_IDCODE unreadable "
			"through AP0 and AP2): the target lost power, was reset for good, or the "
			"probe was disconnected");
		return;
	}
	if (!ev->ap0_ok) {
		bool stop_off = have(c, EV_DBGMCU_CR) &&
			!(reg(c, EV_DBGMCU_CR) & DBGMCU_CR_DBGSTOP_D1);

		support(c, CAUSE_LINK_LOST, stop_off ? 50 : 80, "the debug port answers (AP2) but "
			"the core's bus does not (AP0): the core domain is held in reset (NRST), "
			"unpowered, or in a low-power mode");
		if (stop_off)
			support(c, CAUSE_TARGET_INTERFERED, 75, "DBGMCU_CR=0x%08" PRIx32 " (read through "
				"AP2): DBGSTOP_D1=0, so when the firmware enters Stop the debugger "
				"loses the core", reg(c, EV_DBGMCU_CR));
		return;
	}
	support(c, CAUSE_LINK_LOST, 60, "%u of %u evidence registers could not be read",
		ev->failed_reads, EV_COUNT);
}

static bool area_overlaps(uint32_t area, uint32_t lo, uint32_t hi)
{
	uint32_t start = (area & 0xFFF) * 256, end = ((area >> 16) & 0xFFF) * 256 + 255;

	return start <= end && start <= hi && lo <= end;
}

static void test_protection(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	unsigned int index = c->b.index;
	uint32_t lo = f->addr & 0xFFFFF, hi = lo + (f->len ? f->len - 1 : 0);
	uint32_t sr = f->flash_sr | (have(c, index ? EV_FLASH_SR2 : EV_FLASH_SR1) ?
		reg(c, index ? EV_FLASH_SR2 : EV_FLASH_SR1) : 0);

	if (have(c, EV_FLASH_OPTSR_CUR)) {
		unsigned int rdp = stm32h743_rdp_level(reg(c, EV_FLASH_OPTSR_CUR));

		if (rdp)
			support(c, CAUSE_PROTECTION, 95, "read protection RDP level %u "
				"(FLASH_OPTSR_CUR=0x%08" PRIx32 "): with a debugger attached the flash "
				"can be neither read nor programmed", rdp, reg(c, EV_FLASH_OPTSR_CUR));
	}
	enum stm32h743_evidence_reg wpsn = index ? EV_FLASH_WPSN_CUR2 : EV_FLASH_WPSN_CUR1;
	/* a write or erase refused over a protected sector: WPSN is the whole story */
	bool writes = !strcmp(f->operation, "write") || !strcmp(f->operation, "erase");

	bool whole_bank_look = !strcmp(f->operation, "diagnose") && !f->expected;

	if (have(c, wpsn) && f->len && !whole_bank_look) {
		for (unsigned int s = lo / STM32H743_SECTOR_SIZE; s <= hi / STM32H743_SECTOR_SIZE &&
		     s < STM32H743_SECTORS_PER_BANK; s++) {
			if (reg(c, wpsn) & BIT(s))
				continue;
			support(c, CAUSE_PROTECTION, (sr & SR_WRPERR) || writes ? 95 : 30, "bank %u sector %u is "
				"write protected (%s=0x%02" PRIx32 ")%s", index + 1, s,
				stm32h743_evidence_name(wpsn), reg(c, wpsn),
				(sr & SR_WRPERR) ? " and the controller reported WRPERR" : "");
			break;
		}
	}
	const struct { enum stm32h743_evidence_reg r; const char *what; uint32_t flag; } areas[] = {
		{ index ? EV_FLASH_PRAR_CUR2 : EV_FLASH_PRAR_CUR1, "PCROP (execute-only)", SR_RDPERR },
		{ index ? EV_FLASH_SCAR_CUR2 : EV_FLASH_SCAR_CUR1, "secure-only", SR_RDSERR },
	};

	bool security = have(c, EV_FLASH_OPTSR_CUR) && (reg(c, EV_FLASH_OPTSR_CUR) & OPTSR_SECURITY);

	for (size_t i = 0; i < ARRAY_SIZE(areas) && !whole_bank_look; i++) {
		if (!have(c, areas[i].r) || !f->len || !area_overlaps(reg(c, areas[i].r), lo, hi))
			continue;
		/* a secure-only area is enforced only with SECURITY set (RM0433 4.5.5) */
		if (areas[i].flag == SR_RDSERR && !security)
			continue;
		uint32_t a = reg(c, areas[i].r);

		support(c, CAUSE_PROTECTION, (sr & (areas[i].flag | SR_WRPERR)) ? 95 : 75,
			"the range overlaps the %s area 0x%08" PRIx32 "-0x%08" PRIx32 " of bank %u "
			"(%s=0x%08" PRIx32 ")", areas[i].what,
			(uint32_t)c->bank->base + (a & 0xFFF) * 256,
			(uint32_t)c->bank->base + ((a >> 16) & 0xFFF) * 256 + 255, index + 1,
			stm32h743_evidence_name(areas[i].r), a);
	}
	if (sr & (SR_RDPERR | SR_RDSERR))
		support(c, CAUSE_PROTECTION, 85, "FLASH_SR%u=0x%08" PRIx32 ": %s", index + 1, sr,
			(sr & SR_RDPERR) ? "RDPERR (a read hit a read-protected area)" :
			"RDSERR (a read hit a secure-only area)");
}

static void test_other_bank(struct diag_context *c)
{
	uint32_t optcr = reg(c, EV_FLASH_OPTCR), optsr = reg(c, EV_FLASH_OPTSR_CUR);
	bool swapped_now = optcr & OPTCR_SWAP_BANK, swap_next = optsr & OPTSR_SWAP_BANK_OPT;

	if (!c->other_bank_tried)
		return;
	if (c->other_bank_matches < c->other_bank_tried) {
		oppose(c, CAUSE_OTHER_BANK, 0, "the other bank does not hold the expected data "
			"(%u of %u words compared match)", c->other_bank_matches, c->other_bank_tried);
		return;
	}
	support(c, CAUSE_OTHER_BANK, 95, "0x%08" PRIx32 " in the other bank holds the expected "
		"data (%u of %u differing words checked)", (uint32_t)c->other_addr,
		c->other_bank_matches, c->other_bank_tried);
	if (c->rec && c->rec->programmed && c->rec->swapped_at_program != swapped_now) {
		support(c, CAUSE_OTHER_BANK, 95, "bank swap changed since programming: "
			"FLASH_OPTCR.SWAP_BANK=%u now, %u when the driver programmed", swapped_now,
			c->rec->swapped_at_program);
		put(c->swap_story, sizeof(c->swap_story), "bank swap was turned %s after "
			"programming (FLASH_OPTCR.SWAP_BANK=%u now, %u then)", swapped_now ? "on" : "off",
			swapped_now, c->rec->swapped_at_program);
	} else if (swap_next != swapped_now) {
		put(c->swap_story, sizeof(c->swap_story), "a bank swap is pending "
			"(FLASH_OPTSR_CUR.SWAP_BANK_OPT=%u, FLASH_OPTCR.SWAP_BANK=%u): the banks "
			"change places at the next reset", swap_next, swapped_now);
	} else {
		put(c->swap_story, sizeof(c->swap_story), "the banks are %s (FLASH_OPTCR.SWAP_BANK="
			"%u), so 0x%08" PRIx32 " shows physical bank %u; the image was written to the "
			"other one", swapped_now ? "swapped" : "not swapped", swapped_now,
			(uint32_t)c->bank->base, c->b.physical + 1);
	}
	if (swap_next != swapped_now)
		support(c, CAUSE_OTHER_BANK, 95, "a bank swap is pending: "
			"FLASH_OPTSR_CUR.SWAP_BANK_OPT=%u takes effect at the next reset", swap_next);
}

static void test_file_differs(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	unsigned int recorded_flash = 0, recorded_expected = 0, stable = 0;

	if (!f->expected || !c->nsamples || !f->mismatch)
		return;
	for (unsigned int i = 0; i < c->nsamples; i++) {
		struct word_sample *s = &c->sample[i];

		stable += s->stable;
		if (!s->recorded)
			continue;
		recorded_flash += s->recorded == stm32h743_word_hash(s->got);
		recorded_expected += s->recorded == stm32h743_word_hash(s->expected);
	}
	if (c->shifted) {
		support(c, CAUSE_FILE_DIFFERS, 90, "flash holds %s shifted by %s0x%" PRIx64 " bytes: "
			"it was programmed at 0x%08" PRIx64 " rather than 0x%08" PRIx32 " (a wrong "
			"base address, or a .bin given where an ELF/HEX address was meant)",
			file_name(f), c->shift < 0 ? "-" : "+",
			(uint64_t)(c->shift < 0 ? -c->shift : c->shift),
			(uint64_t)(f->addr + c->shift), (uint32_t)f->addr);
		tag(c, CAUSE_FILE_DIFFERS, "offset");
	}
	if (recorded_flash && recorded_flash == c->nsamples)
		support(c, CAUSE_FILE_DIFFERS, 95, "flash holds exactly what this session programmed "
			"there");
	else if (recorded_expected)
		oppose(c, CAUSE_FILE_DIFFERS, 60, "this session programmed %s's data into %u of the "
			"differing words, but flash holds something else", file_name(f),
			recorded_expected);
	if (f->compared && f->diff_words && !recorded_expected) {
		uint64_t diff_bytes = (uint64_t)f->diff_words * STM32H743_FLASH_WORD;
		bool small = diff_bytes * 4 <= f->compared;

		enum stm32h743_evidence_reg srr = c->b.index ? EV_FLASH_SR2 : EV_FLASH_SR1;
		bool flags_clean = have(c, srr) && !((reg(c, srr) | f->flash_sr) & SR_ERRORS);
		bool clock_ok = c->d->ev.latency_needed < 0 ||
			(int)(reg(c, EV_FLASH_ACR) & 0xF) >= c->d->ev.latency_needed;

		if (small && stable == c->nsamples)
			support(c, CAUSE_FILE_DIFFERS, flags_clean && clock_ok && !c->refs_bad ? 75 : 55,
				"a small part differs (%u of %u flash words compared), the words around "
				"it match, and it reads back the same twice%s", f->diff_words,
				f->compared / STM32H743_FLASH_WORD, flags_clean ?
				" with no error or ECC flag" : "");
	}
	if (stable < c->nsamples)
		oppose(c, CAUSE_FILE_DIFFERS, 50, "a differing word reads differently twice");
}

static bool all_samples_zero(struct diag_context *c)
{
	for (unsigned int i = 0; i < c->nsamples; i++)
		if (!c->sample[i].zero)
			return false;
	return c->nsamples > 0;
}

/* An ECC error latched for a word inside the range looked at. */
static bool ecc_in_range(struct diag_context *c)
{
	enum stm32h743_evidence_reg srr = c->b.index ? EV_FLASH_SR2 : EV_FLASH_SR1;
	enum stm32h743_evidence_reg far = c->b.index ? EV_FLASH_ECC_FA2 : EV_FLASH_ECC_FA1;
	uint32_t sr = c->f->flash_sr | (have(c, srr) ? reg(c, srr) : 0);
	target_addr_t word = c->bank->base + (reg(c, far) & 0x7FFF) * STM32H743_FLASH_WORD;

	return (sr & (SR_DBECCERR | SR_SNECCERR)) && have(c, far) &&
		word + STM32H743_FLASH_WORD > c->f->addr && word < c->f->addr + c->f->len;
}

static void test_not_erased(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	unsigned int and_words = 0;

	for (unsigned int i = 0; i < c->nsamples; i++)
		and_words += c->sample[i].and_pattern && c->sample[i].stable;
	if (f->not_erased)
		support(c, CAUSE_NOT_ERASED, 50, "the destination at 0x%08" PRIx32 " is not erased "
			"(the write refused to program over it)", (uint32_t)f->not_erased_addr);
	for (unsigned int i = 0; f->not_erased && i < c->nsamples; i++)
		if (c->sample[i].recorded && c->sample[i].recorded ==
		    stm32h743_word_hash(c->sample[i].got))
			support(c, CAUSE_NOT_ERASED, 90, "0x%08" PRIx32 " holds data this session "
				"programmed earlier, and its sector was not erased since",
				(uint32_t)c->sample[i].addr);
	/* zeros everywhere are also what a read path returning zeros shows */
	bool only_zeros = c->outside_data && c->outside_zero == c->outside_data &&
		all_samples_zero(c);

	if (c->outside_data && (and_words || ecc_in_range(c)))
		support(c, CAUSE_NOT_ERASED, only_zeros ? 50 : 85, "the sector also holds other data outside the image "
			"(0x%08" PRIx32 " is not erased), so it was not erased before the image was "
			"programmed over it%s", (uint32_t)c->outside_addr, ecc_in_range(c) ?
			"; a word programmed twice breaks its ECC, as DBECCERR/SNECCERR show" : "");
	if (c->outside_data && ecc_in_range(c))
		oppose(c, CAUSE_PROGRAM_FAILED, 30, "programming over data that was not erased "
			"explains the ECC error without a supply fault");
	if (only_zeros && c->d->cand[CAUSE_NOT_ERASED].score > 50) {
		c->d->cand[CAUSE_NOT_ERASED].score = 50;
		oppose(c, CAUSE_NOT_ERASED, 0, "every word read is 0x00, which is also what reads "
			"that do not reach the array return");
	}
	if (!and_words && !f->not_erased)
		return;
	if (and_words)
		support(c, CAUSE_NOT_ERASED, 30, "%u differing word%s read%s as the AND of the "
			"expected data and other data (bits only cleared)", and_words,
			and_words > 1 ? "s" : "", and_words > 1 ? "" : "s");
	if (!c->rec || !c->b.physical_known)
		return;
	target_addr_t where = f->not_erased ? f->not_erased_addr :
		c->nsamples ? c->sample[0].addr : f->addr;
	const struct stm32h743_sector_record *sr =
		&c->rec->sector[c->b.physical][sector_of(where)];

	if (sr->erased && sr->erase_instant) {
		support(c, CAUSE_PROGRAM_FAILED, 95, "the erase of bank %u sector %u reported done "
			"at the first status read (a 128 KiB erase takes at least %u ms, DS12110): "
			"it did not happen", c->b.index + 1, sector_of(where), ERASE_MIN_MS);
		support(c, CAUSE_NOT_ERASED, 80, "sector %u still holds data after an erase that "
			"did not happen", sector_of(where));
		tag(c, CAUSE_PROGRAM_FAILED, "erase-instant");
	} else if (!sr->erased && (and_words || f->not_erased)) {
		support(c, CAUSE_NOT_ERASED, and_words ? 85 : 70, "bank %u sector %u was not erased "
			"in this session", c->b.index + 1, sector_of(where));
	} else if (sr->erased) {
		oppose(c, CAUSE_NOT_ERASED, 40, "this driver erased sector %u %.1f s ago (the erase "
			"took %" PRIu32 " ms)", sector_of(where),
			(timeval_ms() - sr->erased_ms) / 1000.0, sr->erase_ms);
	}
	if (only_zeros)
		c->d->cand[CAUSE_NOT_ERASED].score = MIN(c->d->cand[CAUSE_NOT_ERASED].score, 50);
}

static void test_supply(struct diag_context *c, int weight)
{
	if (c->supply_checked)
		return;
	c->supply_checked = true;
	if (have(c, EV_PWR_CSR1) && !(reg(c, EV_PWR_CSR1) & PWR_CSR1_ACTVOSRDY)) {
		put(c->supply, sizeof(c->supply), "the core supply is not at its voltage scale: "
			"PWR_CSR1=0x%08" PRIx32 " ACTVOSRDY=0 (VOS%u requested, PWR_D3CR=0x%08" PRIx32
			")", reg(c, EV_PWR_CSR1), c->d->ev.vos, reg(c, EV_PWR_D3CR));
		support(c, CAUSE_PROGRAM_FAILED, weight, "%s", c->supply);
	}
	if (have(c, EV_PWR_CR3) && !(reg(c, EV_PWR_CR3) & (PWR_CR3_LDOEN | PWR_CR3_BYPASS)))
		support(c, CAUSE_PROGRAM_FAILED, weight - 10, "PWR_CR3=0x%08" PRIx32 ": the LDO is "
			"off and not bypassed, so nothing regulates the core supply",
			reg(c, EV_PWR_CR3));
	if (stm32h743_info(c->bank)->psize == 3)
		fact(c, "programming parallelism x64 (needs VDD >= 1.8 V)");
}

/* A latched ECC error: the word at FLASH_ECC_FA did not program cleanly. */
static void ecc_evidence(struct diag_context *c, uint32_t sr)
{
	enum stm32h743_evidence_reg far = c->b.index ? EV_FLASH_ECC_FA2 : EV_FLASH_ECC_FA1;

	if (!(sr & (SR_DBECCERR | SR_SNECCERR)))
		return;
	uint32_t fa = have(c, far) ? reg(c, far) : 0;

	support(c, CAUSE_PROGRAM_FAILED, (sr & SR_DBECCERR) ? 85 : 65, "FLASH_SR%u=0x%08" PRIx32
		" %s for the flash word at 0x%08" PRIx32 " (FLASH_ECC_FA%u=0x%04" PRIx32 "): "
		"the cells did not program cleanly", c->b.index + 1, sr,
		(sr & SR_DBECCERR) ? "DBECCERR (uncorrectable)" : "SNECCERR (corrected)",
		(uint32_t)c->bank->base + (fa & 0x7FFF) * STM32H743_FLASH_WORD,
		c->b.index + 1, fa);
	tag(c, CAUSE_PROGRAM_FAILED, "ecc");
	test_supply(c, 85);
}

static void test_program_failed(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	enum stm32h743_evidence_reg srr = c->b.index ? EV_FLASH_SR2 : EV_FLASH_SR1;
	enum stm32h743_evidence_reg far = c->b.index ? EV_FLASH_ECC_FA2 : EV_FLASH_ECC_FA1;
	uint32_t sr = f->flash_sr | (have(c, srr) ? reg(c, srr) : 0);
	unsigned int erased_recorded = 0, drifted = 0, stuck_one = 0, stuck_bits = 0;

	if (c->rec && c->rec->instant_words) {
		support(c, CAUSE_PROGRAM_FAILED, 95, "the controller reported %u of %u flash words "
			"programmed at the first status read (a word takes at least %u us, DS12110): "
			"the programming did not happen", c->rec->instant_words,
			c->rec->program_words, PROGRAM_MIN_US);
		tag(c, CAUSE_PROGRAM_FAILED, "program-instant");
	}
	if (f->instant) {
		support(c, CAUSE_PROGRAM_FAILED, 95, "the %s was reported done at the first status "
			"read, but erasing 128 KiB takes at least %u ms (DS12110): it did not happen",
			f->instant_what[0] ? f->instant_what : "erase", ERASE_MIN_MS);
		tag(c, CAUSE_PROGRAM_FAILED, "erase-instant");
	}
	if (sr & (SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR)) {
		char flags[160];

		stm32h743_sr_flags(sr & (SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR), flags,
			sizeof(flags));
		support(c, CAUSE_PROGRAM_FAILED, 85, "FLASH_SR%u=0x%08" PRIx32 ": %s (a programming "
			"sequence error)", c->b.index + 1, sr, flags);
		tag(c, CAUSE_PROGRAM_FAILED, "sequence-error");
	}
	uint32_t fa = have(c, far) ? reg(c, far) : 0;
	target_addr_t ecc_word = c->bank->base + (fa & 0x7FFF) * STM32H743_FLASH_WORD;
	bool ecc_first = !f->mismatch || ecc_word < f->first_bad;

	if (ecc_first)
		ecc_evidence(c, sr);
	if (c->rec && c->rec->key_locked) {
		support(c, CAUSE_PROGRAM_FAILED, 90, "FLASH_CR%u stays locked after the key sequence: "
			"a wrong key was written to FLASH_KEYR%u since the last reset (by the "
			"firmware or a tool), which locks the controller until the next reset",
			c->b.index + 1, c->b.index + 1);
		tag(c, CAUSE_PROGRAM_FAILED, "key-locked");
	}
	if (f->timed_out)
		support(c, CAUSE_PROGRAM_FAILED, 75, "the bank stayed busy past the datasheet "
			"maximum: the controller is stuck or the supply is failing");
	for (unsigned int i = 0; i < c->nsamples; i++) {
		struct word_sample *s = &c->sample[i];

		if (!s->stable)
			continue;
		erased_recorded += s->erased && s->recorded &&
			s->recorded == stm32h743_word_hash(s->expected);
		drifted += s->up && s->down && s->up + s->down <= 4 && s->recorded &&
			s->recorded == stm32h743_word_hash(s->expected);
		if (s->up && !s->down && !s->erased && s->recorded &&
		    s->recorded == stm32h743_word_hash(s->expected)) {
			stuck_one++;
			stuck_bits += s->up;
		}
	}
	if (stuck_one) {
		support(c, CAUSE_PROGRAM_FAILED, 85, "%u bit%s that should be 0 read 1 in %u word%s "
			"this session programmed with the expected data: those cells did not "
			"program", stuck_bits, stuck_bits > 1 ? "s" : "", stuck_one, stuck_one > 1 ? "s" : "");
		test_supply(c, 88);
	}
	bool core_ran = c->rec && (c->rec->resumes || c->rec->halts);

	if (erased_recorded)
		support(c, CAUSE_PROGRAM_FAILED, core_ran ? 55 : 80, "%u flash word%s this session "
			"programmed with the expected data read%s erased%s", erased_recorded,
			erased_recorded > 1 ? "s" : "", erased_recorded > 1 ? "" : "s",
			core_ran ? " (or were erased since: the core ran)" : "");
	if (drifted) {
		support(c, CAUSE_PROGRAM_FAILED, 85, "%u word%s this session programmed with the "
			"expected data hold%s a few wrong bits in both directions (a write that did "
			"not take cleanly)", drifted, drifted > 1 ? "s" : "", drifted > 1 ? "" : "s");
		test_supply(c, 85);
	}
	/* an ECC error after the first difference comes second in the evidence */
	if (!ecc_first)
		ecc_evidence(c, sr);
	/* the read path: the flash may be fine but cannot be read */
	if (c->refs_bad || c->refs_vary) {
		support(c, CAUSE_PROGRAM_FAILED, c->d->ev.latency_needed >= 0 &&
			(int)(reg(c, EV_FLASH_ACR) & 0xF) < c->d->ev.latency_needed ? 50 : 85,
			"reads do not reach the flash array: %u of %u reference words (erased by this "
			"driver, not programmed since) read 0x%02x at 0x%08" PRIx32 " instead of 0xFF%s",
			c->refs_bad, c->refs, c->ref_value, (uint32_t)c->ref_addr,
			c->refs_vary ? ", and change between two reads" : "");
		tag(c, CAUSE_PROGRAM_FAILED, "read-path");
		test_supply(c, 80);
	} else if (c->refs) {
		oppose(c, CAUSE_PROGRAM_FAILED, 0, "%u reference word%s erased by this driver read "
			"0xFF as they should", c->refs, c->refs > 1 ? "s" : "");
	}
	if (f->mismatch && c->nsamples && c->sample[0].zero && !c->refs && !erased_recorded) {
		support(c, CAUSE_PROGRAM_FAILED, 50, "the failing word reads all 0x00: either the "
			"array reads as zero (core domain supply, flash interface in reset) or it "
			"holds zeros; erasing a spare sector and reading it back tells them apart "
			"(it must read 0xFF)");
		test_supply(c, 75);
	}
}

static void test_wait_states(struct diag_context *c)
{
	const struct stm32h743_evidence *ev = &c->d->ev;
	unsigned int latency = reg(c, EV_FLASH_ACR) & 0xF;
	unsigned int unstable = 0;

	if (!have(c, EV_FLASH_ACR) || ev->latency_needed < 0)
		return;
	for (unsigned int i = 0; i < c->nsamples; i++)
		unstable += !c->sample[i].stable;
	if ((int)latency >= ev->latency_needed) {
		fact(c, "FLASH_ACR.LATENCY=%u is enough for the %" PRIu32 " MHz AXI clock at VOS%u",
			latency, ev->aclk_hz / 1000000, ev->vos);
		return;
	}
	support(c, CAUSE_WAIT_STATES, ev->aclk_uses_hse ? 60 : unstable ? 95 : 90, "FLASH_ACR=0x%08" PRIx32
		" LATENCY=%u, but the %s%" PRIu32 " MHz AXI clock at voltage scale %u needs %d wait "
		"states (RM0433 table 17)",
		reg(c, EV_FLASH_ACR), latency, ev->aclk_uses_hse ? "(assuming a 25 MHz HSE) " : "",
		ev->aclk_hz / 1000000, ev->vos, ev->latency_needed);
	if (unstable)
		support(c, CAUSE_WAIT_STATES, 60, "%u differing word%s read%s differently twice",
			unstable, unstable > 1 ? "s" : "", unstable > 1 ? "" : "s");
}

static void test_target_interfered(struct diag_context *c)
{
	struct stm32h743_record *rec = c->rec;
	struct target *target = c->bank->target;
	unsigned int changed = 0;

	for (unsigned int i = 0; i < c->nsamples; i++) {
		const struct word_sample *s = &c->sample[i];

		changed += s->recorded && s->stable &&
			s->recorded != stm32h743_word_hash(s->got) &&
			s->recorded == stm32h743_word_hash(s->expected);
	}
	bool running = target->state == TARGET_RUNNING ||
		(have(c, EV_DHCSR) && !(reg(c, EV_DHCSR) & DHCSR_S_HALT));

	if (running)
		support(c, CAUSE_TARGET_INTERFERED, changed ? 85 : 55, "the core is running now "
			"(DHCSR=0x%08" PRIx32 "): its firmware can erase or write flash",
			reg(c, EV_DHCSR));
	if (rec && rec->programmed && (rec->resumes || rec->halts))
		support(c, CAUSE_TARGET_INTERFERED, changed ? 85 : 30, "since programming the core "
			"was resumed %u time%s and halted after running or a reset %u time%s",
			rec->resumes, rec->resumes == 1 ? "" : "s", rec->halts,
			rec->halts == 1 ? "" : "s");
	if (changed && (running || (rec && (rec->resumes || rec->halts))))
		support(c, CAUSE_TARGET_INTERFERED, 90, "%u word%s this session programmed with the "
			"expected data now hold%s other data: the firmware (or a bootloader) rewrote "
			"them", changed, changed > 1 ? "s" : "", changed > 1 ? "" : "s");
	if (rec && rec->rsr_known && have(c, EV_RCC_RSR)) {
		uint32_t fresh = reg(c, EV_RCC_RSR) & ~rec->rsr_at_program;
		uint32_t optsr = reg(c, EV_FLASH_OPTSR_CUR);

		if (fresh & RSR_IWDG1RSTF)
			support(c, CAUSE_TARGET_INTERFERED, 90, "the independent watchdog reset the chip "
				"during or after the write (RCC_RSR=0x%08" PRIx32 " IWDG1RSTF, 0x%08"
				PRIx32 " before)%s", reg(c, EV_RCC_RSR), rec->rsr_at_program,
				!(optsr & OPTSR_IWDG1_SW) ? "; FLASH_OPTSR_CUR.IWDG1_SW=0: the hardware "
				"watchdog runs from every reset" : "");
		else if (fresh & (RSR_WWDG1RSTF | RSR_LPWRRSTF | RSR_BORRSTF | RSR_PORRSTF |
				RSR_SFTRSTF | RSR_PINRSTF))
			support(c, CAUSE_TARGET_INTERFERED, 70, "the chip was reset since the write "
				"started: RCC_RSR=0x%08" PRIx32 ", 0x%08" PRIx32 " before (new flags "
				"0x%08" PRIx32 ")", reg(c, EV_RCC_RSR), rec->rsr_at_program, fresh);
	}
	if (have(c, EV_PWR_CPUCR) && (reg(c, EV_PWR_CPUCR) & PWR_CPUCR_STOPF) &&
	    have(c, EV_DBGMCU_CR) && !(reg(c, EV_DBGMCU_CR) & DBGMCU_CR_DBGSTOP_D1))
		support(c, CAUSE_TARGET_INTERFERED, 60, "the core has been in Stop mode (PWR_CPUCR="
			"0x%08" PRIx32 " STOPF) with debug in Stop disabled (DBGMCU_CR=0x%08" PRIx32 ")",
			reg(c, EV_PWR_CPUCR), reg(c, EV_DBGMCU_CR));
	if (c->f->reset_seen)
		support(c, CAUSE_TARGET_INTERFERED, 80, "FLASH_CR%u was locked again during the "
			"operation: the chip was reset under the driver", c->b.index + 1);
	if ((c->f->reset_seen || c->f->loader_stopped) && have(c, EV_RCC_RSR) &&
	    (reg(c, EV_RCC_RSR) & RSR_IWDG1RSTF) && have(c, EV_FLASH_OPTSR_CUR) &&
	    !(reg(c, EV_FLASH_OPTSR_CUR) & OPTSR_IWDG1_SW)) {
		unsigned int period = stm32h743_watchdog_runs_halted(c->bank->target);

		if (period)
			support(c, CAUSE_TARGET_INTERFERED, 92, "the independent watchdog reset the "
				"chip: it runs while the core is halted (FLASH_OPTSR_CUR.IWDG1_SW=0, "
				"DBGMCU_APB4FZ1.DBG_IWDG1=0) and expires every %u ms, and RCC_RSR=0x%08"
				PRIx32 " has IWDG1RSTF", period, reg(c, EV_RCC_RSR));
		else
			support(c, CAUSE_TARGET_INTERFERED, 88, "the independent watchdog reset the "
				"chip (RCC_RSR=0x%08" PRIx32 " IWDG1RSTF); it runs from every reset "
				"(FLASH_OPTSR_CUR.IWDG1_SW=0)", reg(c, EV_RCC_RSR));
	}
	if (c->f->loader_stopped)
		support(c, CAUSE_TARGET_INTERFERED, 55, "the flash loader stopped without reporting "
			"an error: the core was reset or halted under it");
}

/*
 * Does the D-cache hold another copy of the first differing byte? Read its
 * flash word looking the cache up and bypassing it: a difference is the
 * proof, agreement rules a stale D-cache line out there. False when the
 * probe cannot read both ways (no MEM-AP under hla).
 */
static bool dcache_copy_tested(struct diag_context *c)
{
	const struct stm32h743_failure *f = c->f;
	target_addr_t word = f->first_bad & ~(target_addr_t)(STM32H743_FLASH_WORD - 1);
	uint8_t cached[STM32H743_FLASH_WORD], memory[STM32H743_FLASH_WORD];
	unsigned int at = f->first_bad - word;

	if (stm32h743_read_both_views(c->bank->target, word, STM32H743_FLASH_WORD / 4, cached,
			memory) != ERROR_OK)
		return false;
	LOG_DEBUG("stm32h743: 0x%08" PRIx32 " through the D-cache 0x%02x, in flash 0x%02x",
		(uint32_t)f->first_bad, cached[at], memory[at]);
	if (cached[at] == memory[at]) {
		fact(c, "the D-cache and the flash agree at 0x%08" PRIx32 " (0x%02x both ways): no "
			"stale D-cache line there", (uint32_t)f->first_bad, memory[at]);
		return true;
	}
	bool flash_right = memory[at] == f->first_expected;

	support(c, CAUSE_STALE_CACHE, flash_right ? 95 : 75, "the core's D-cache holds an old "
		"copy of 0x%08" PRIx32 ": read through the cache 0x%02x, the flash itself (AP0 "
		"CSW.HPROT[3] clear) 0x%02x%s", (uint32_t)f->first_bad, cached[at], memory[at],
		flash_right ? ", as expected: the flash is right, the core does not see it" : "");
	tag(c, CAUSE_STALE_CACHE, "dcache-line");
	if (flash_right) {
		/* what the other causes read was the cache's copy, not the flash */
		oppose(c, CAUSE_PROGRAM_FAILED, 80, "the flash itself holds the expected 0x%02x at "
			"0x%08" PRIx32 ": the write took", memory[at], (uint32_t)f->first_bad);
		oppose(c, CAUSE_NOT_ERASED, 80, "the flash itself holds the expected 0x%02x at "
			"0x%08" PRIx32, memory[at], (uint32_t)f->first_bad);
	}
	return true;
}

static void test_stale_cache(struct diag_context *c)
{
	uint32_t ccr = reg(c, EV_SCB_CCR);

	if (!have(c, EV_SCB_CCR) || !(ccr & (SCB_CCR_DC | SCB_CCR_IC)))
		return;
	bool since = c->rec && c->rec->programmed && !c->rec->halts;

	if ((ccr & SCB_CCR_DC) && c->f->mismatch && dcache_copy_tested(c))
		return;

	support(c, CAUSE_STALE_CACHE, since ? 60 : 35, "the core's %s%s%s on (SCB_CCR=0x%08"
		PRIx32 ")%s: the core, and verify's on-core CRC, may see old flash contents",
		(ccr & SCB_CCR_DC) ? "D-cache" : "", (ccr & SCB_CCR_DC) && (ccr & SCB_CCR_IC) ?
		" and " : "", (ccr & SCB_CCR_IC) ? "I-cache is" : " is", ccr,
		since ? " and flash was programmed without a reset since" : "");
}

/* ---- ranking and the verdict ---------------------------------------------- */

static void rank(struct stm32h743_diagnosis *d)
{
	d->ncand = 0;
	for (unsigned int i = 0; i < CAUSE_COUNT; i++)
		if (d->cand[i].score > 0 || d->cand[i].evidence[0])
			d->order[d->ncand++] = i;
	/* insertion sort by score, stable */
	for (unsigned int i = 1; i < d->ncand; i++) {
		unsigned int k = d->order[i], j = i;

		while (j && d->cand[d->order[j - 1]].score < d->cand[k].score) {
			d->order[j] = d->order[j - 1];
			j--;
		}
		d->order[j] = k;
	}
}

/* The strongest supporting sentence of a cause's evidence. */
static void first_evidence(const struct stm32h743_candidate *k, char *out, size_t size)
{
	if (k->headline[0]) {
		snprintf(out, size, "%s", k->headline);
		return;
	}
	const char *end = strstr(k->evidence, "; ");
	size_t n = end ? (size_t)(end - k->evidence) : strlen(k->evidence);

	snprintf(out, size, "%.*s", (int)MIN(n, size - 1), k->evidence);
}

static void cause_sentence(struct diag_context *c, enum stm32h743_cause cause, char *out,
		size_t size)
{
	const struct stm32h743_failure *f = c->f;
	struct stm32h743_diagnosis *d = c->d;
	char why[600];

	first_evidence(&d->cand[cause], why, sizeof(why));
	switch (cause) {
	case CAUSE_FILE_DIFFERS:
		put(out, size, "flash holds different data than %s: %s%u flash word%s in %u "
			"sector%s differ, the first at 0x%08" PRIx32 " (%s)", file_name(f),
			f->diff_words_exact ? "" : "at least ",
			f->diff_words, f->diff_words == 1 ? "" : "s", f->diff_sectors,
			f->diff_sectors == 1 ? "" : "s", (uint32_t)f->first_bad, why);
		break;
	case CAUSE_OTHER_BANK:
		put(out, size, "the image is in the other bank, at 0x%08" PRIx32 ": %s",
			(uint32_t)c->other_addr, c->swap_story[0] ? c->swap_story : why);
		break;
	case CAUSE_NOT_ERASED:
		put(out, size, "the flash was programmed over data that had not been erased: %s",
			why);
		break;
	case CAUSE_PROGRAM_FAILED:
		if (!strcmp(d->detail, "read-path"))
			put(out, size, "the flash cannot be read correctly (which is not a bad "
				"write): %s", why);
		else if (!strcmp(d->detail, "key-locked"))
			put(out, size, "the flash controller is locked until reset: %s", why);
		else if (!strcmp(d->detail, "erase-instant") ||
			 !strcmp(d->detail, "program-instant"))
			put(out, size, "the flash was not written: %s", why);
		else if (c->supply[0] && !strstr(why, "ACTVOSRDY"))
			put(out, size, "the programming did not take: %s; %s", why, c->supply);
		else
			put(out, size, "the programming did not take: %s", why);
		break;
	case CAUSE_WAIT_STATES:
		put(out, size, "flash reads return wrong data because the read wait states are "
			"too low for the clock: %s", why);
		break;
	case CAUSE_TARGET_INTERFERED:
		put(out, size, "the target itself got in the way: %s", why);
		break;
	case CAUSE_PROTECTION:
		if (f->read_failed)
			put(out, size, "reading 0x%08" PRIx32 " failed because of protection: %s",
				(uint32_t)f->read_addr, why);
		else
			put(out, size, "protection stops the %s: %s", d->operation, why);
		break;
	case CAUSE_LINK_LOST:
		put(out, size, "the target or the debug probe went away: %s", why);
		break;
	case CAUSE_STALE_CACHE:
		put(out, size, "the core %s stale cached data: %s",
			!strcmp(d->detail, "dcache-line") ? "sees" : "may see", why);
		break;
	default:
		put(out, size, "%s", why);
		break;
	}
}

static const char *next_step(struct diag_context *c, enum stm32h743_cause cause)
{
	static char buf[384];
	const struct stm32h743_failure *f = c->f;

	switch (cause) {
	case CAUSE_FILE_DIFFERS:
		if (c->shifted)
			put(buf, sizeof(buf), "program %s at 0x%08" PRIx32 " (`flash write_image "
				"erase FILE 0x%08" PRIx32 "`) or verify it where it was programmed",
				file_name(f), (uint32_t)f->addr, (uint32_t)f->addr);
		else
			put(buf, sizeof(buf), "make sure you verify the file you programmed; to "
				"put %s on the chip run `program FILE verify`", file_name(f));
		return buf;
	case CAUSE_OTHER_BANK:
		put(buf, sizeof(buf), "verify at 0x%08" PRIx32 ", or restore the bank swap "
			"that was active when you programmed (`stm32h743 swap_bank on|off reset`)",
			(uint32_t)(f->addr ^ 0x100000));
		return buf;
	case CAUSE_NOT_ERASED:
		return "erase before programming: `flash write_image erase FILE ADDR` or "
			"`flash erase_sector BANK FIRST LAST`, then program again";
	case CAUSE_PROGRAM_FAILED:
		if (!strcmp(c->d->detail, "read-path"))
			return "check the core supply (VCAP capacitors, PWR_CR3 supply "
				"configuration, VOS), power-cycle the board, then `reset halt` and verify "
				"again before programming";
		if (!strcmp(c->d->detail, "key-locked"))
			return "`reset halt` (a reset ends the lock), then run the command again; if "
				"it recurs, look for firmware that writes FLASH_KEYR";
		if (!strcmp(c->d->detail, "program-instant") ||
		    !strcmp(c->d->detail, "erase-instant"))
			return "power-cycle the board and try again; if the controller keeps "
				"reporting operations done at once, the chip or its supply is faulty";
		return "check the core supply (VCAP capacitors, VOS, PWR_CR3), try a lower "
			"parallelism (`stm32h743 psize BANK 32`), erase the sector and program again; "
			"`stm32h743 program_test BANK ADDRESS` on erased spare words tests "
			"programming by itself";
	case CAUSE_WAIT_STATES:
		put(buf, sizeof(buf), "set FLASH_ACR.LATENCY to %d or more before raising "
			"the clock, or `reset halt` (back to the 64 MHz HSI clock) and verify again",
			c->d->ev.latency_needed);
		return buf;
	case CAUSE_TARGET_INTERFERED:
		return "keep the firmware from running while you program and verify "
			"(`reset halt` before, no `resume` in between), and check its watchdog, "
			"low-power and flash-writing code; `stm32h743 option_bytes` shows iwdg1";
	case CAUSE_PROTECTION:
		return "`flash info BANK` and `stm32h743 option_bytes` show the protection; "
			"lift write protection with `flash protect BANK FIRST LAST off`, read "
			"protection with `stm32h743 unlock` (mass-erases both banks)";
	case CAUSE_LINK_LOST:
		return "check the board's power and the probe's cable, then reconnect "
			"(restart OpenOCD) and run the command again";
	case CAUSE_STALE_CACHE:
		return "invalidate the core's caches: `cortex_m cache_invalidate` (or keep "
			"`cortex_m cache_maintenance on`, the default, which does it after "
			"programming), or `reset halt`; then verify again";
	case CAUSE_NONE:
		return "nothing to do";
	default:
		return "run `stm32h743 diagnose BANK FILE ADDRESS` with -d3 and report the "
			"registers it lists";
	}
}

static void compose_verdict(struct diag_context *c)
{
	struct stm32h743_diagnosis *d = c->d;
	char text[600];

	rank(d);
	if (!d->ncand || d->cand[d->order[0]].score < POSSIBLE) {
		d->cause = CAUSE_UNKNOWN;
		put(d->verdict, sizeof(d->verdict), "cannot tell from here why the %s failed: "
			"no evidence points to a known cause (%s)", d->operation,
			d->facts[0] ? d->facts : "no error flag, no protection, link up");
		put(d->next_step, sizeof(d->next_step), "%s", next_step(c, CAUSE_UNKNOWN));
		return;
	}
	const struct stm32h743_candidate *top = &d->cand[d->order[0]];
	const struct stm32h743_candidate *second = d->ncand > 1 ? &d->cand[d->order[1]] : NULL;

	d->cause = top->cause;
	snprintf(d->detail, sizeof(d->detail), "%s", top->detail);
	cause_sentence(c, top->cause, text, sizeof(text));
	if (top->score >= CONFIDENT && (!second || second->score <= top->score - MARGIN)) {
		put(d->verdict, sizeof(d->verdict), "%s", text);
	} else {
		char alt[300];

		first_evidence(second && second->score >= POSSIBLE ? second : top, alt, sizeof(alt));
		if (second && second->score >= POSSIBLE)
			put(d->verdict, sizeof(d->verdict), "cannot tell from here: %s %s (%s); or %s "
				"(%s)", top->score - second->score < 5 ? "either" : "most likely",
				stm32h743_cause_name(top->cause), text,
				stm32h743_cause_name(second->cause), alt);
		else
			put(d->verdict, sizeof(d->verdict), "cannot tell from here, possibly: %s",
				text);
	}
	put(d->next_step, sizeof(d->next_step), "%s", next_step(c, top->cause));
}

/* ---- the report ------------------------------------------------------------ */

/*
 * The verdict as an error, then the evidence and the next step as plain
 * lines under it (shown at every debug level, and not more errors).
 */
void stm32h743_log_diagnosis(const struct stm32h743_diagnosis *d, bool as_error)
{
	char regs[1024] = "";
	size_t used = 0;

	if (as_error)
		LOG_ERROR("stm32h743: %s failed: %s", d->operation, d->verdict);
	else
		LOG_USER("stm32h743 diagnosis: %s", d->verdict);
	if (d->facts[0])
		LOG_USER("  facts: %s", d->facts);
	for (unsigned int i = 0; i < d->ncand; i++) {
		const struct stm32h743_candidate *k = &d->cand[d->order[i]];

		LOG_USER("  %s %s (score %d): %s", i == 0 && k->score >= POSSIBLE ? "cause" :
			k->score >= POSSIBLE ? "possible" : "ruled out", stm32h743_cause_name(k->cause),
			k->score, k->evidence);
	}
	for (unsigned int r = 0; r < EV_COUNT && used < sizeof(regs) - 32; r++)
		if (d->ev.have[r])
			used += snprintf(regs + used, sizeof(regs) - used, "%s%s=0x%08" PRIx32,
				used ? " " : "", stm32h743_evidence_name(r), d->ev.reg[r]);
	LOG_USER("  registers: %s", used ? regs : "none readable");
	LOG_USER("  next: %s", d->next_step);
}

int stm32h743_diagnose_failure(const struct stm32h743_failure *f)
{
	stm32h743_diagnose(f);
	stm32h743_log_diagnosis(&last, true);
	reason_pending = true;
	return ERROR_OK;
}

void stm32h743_diagnose(const struct stm32h743_failure *f)
{
	struct stm32h743_diagnosis *d = &last;
	struct flash_bank *bank = f->bank;
	struct stm32h743_bank *info = stm32h743_info(bank);
	struct diag_context c = { .f = f, .d = d, .bank = bank };

	memset(d, 0, sizeof(*d));
	d->operation = f->operation;
	for (unsigned int i = 0; i < CAUSE_COUNT; i++)
		d->cand[i].cause = i;
	d->has_address = f->mismatch || f->read_failed || f->not_erased;
	d->address = f->mismatch ? f->first_bad : f->read_failed ? f->read_addr :
		f->not_erased_addr;
	c.rec = stm32h743_record_of(bank->target);
	c.b.index = info->index;
	c.b.two_banks = info->part && info->part->banks > 1;
	stm32h743_gather_evidence(bank, &d->ev);
	if (d->ev.have[EV_FLASH_OPTCR]) {
		c.b.physical_known = true;
		c.b.physical = (d->ev.reg[EV_FLASH_OPTCR] & OPTCR_SWAP_BANK) ? 1 - info->index :
			info->index;
	}
	test_link(&c);
	/* at RDP level 1 every flash read fails: read no flash words then */
	bool flash_readable = d->ev.have[EV_FLASH_OPTSR_CUR] &&
		stm32h743_rdp_level(d->ev.reg[EV_FLASH_OPTSR_CUR]) == 0;

	if (d->ev.ap0_ok && flash_readable) {
		take_samples(&c);
		reference_reads(&c, c.nsamples ? c.sample[0].addr : f->addr);
		look_in_other_bank(&c);
		if (c.other_bank_matches < c.other_bank_tried || !c.other_bank_tried)
			look_for_shift(&c);
	}
	if (d->ev.ap0_ok) {
		test_protection(&c);
		test_other_bank(&c);
		test_file_differs(&c);
		test_program_failed(&c);
		test_not_erased(&c);	/* after: it can weaken the program-failed case */
		test_wait_states(&c);
		test_target_interfered(&c);
		test_stale_cache(&c);
	}
	if (f->mismatch)
		fact(&c, "first difference at 0x%08" PRIx32 ": read 0x%02x, expected 0x%02x",
			(uint32_t)f->first_bad, f->first_read, f->first_expected);
	if (f->compared)
		fact(&c, "%s%u flash word%s in %u sector%s differ in %u bytes compared",
			f->diff_words_exact ? "" : "at least ", f->diff_words,
			f->diff_words == 1 ? "" : "s", f->diff_sectors, f->diff_sectors == 1 ? "" : "s",
			f->compared);
	if (f->read_failed)
		fact(&c, "reading 0x%08" PRIx32 " failed", (uint32_t)f->read_addr);
	for (unsigned int i = 0; i < c.nsamples; i++)
		if (!c.sample[i].stable)
			fact(&c, "the word at 0x%08" PRIx32 " read differently twice",
				(uint32_t)c.sample[i].addr);
	compose_verdict(&c);
	d->valid = true;
}

/* What `stm32h743 diagnose` reports of a bank whatever the cause. */
void stm32h743_state_facts(struct flash_bank *bank, struct stm32h743_diagnosis *d)
{
	struct diag_context c = { .d = d };
	unsigned int index = stm32h743_info(bank)->index;
	enum stm32h743_evidence_reg wpsn = index ? EV_FLASH_WPSN_CUR2 : EV_FLASH_WPSN_CUR1;
	enum stm32h743_evidence_reg srr = index ? EV_FLASH_SR2 : EV_FLASH_SR1;
	enum stm32h743_evidence_reg far = index ? EV_FLASH_ECC_FA2 : EV_FLASH_ECC_FA1;

	if (have(&c, EV_FLASH_OPTCR))
		fact(&c, "bank %u at 0x%08" PRIx32 " (physical bank %u)", index + 1,
			(uint32_t)bank->base, (reg(&c, EV_FLASH_OPTCR) & OPTCR_SWAP_BANK) ?
			2 - index : index + 1);
	if (have(&c, EV_FLASH_OPTSR_CUR))
		fact(&c, "read protection: RDP level %u", stm32h743_rdp_level(reg(&c,
			EV_FLASH_OPTSR_CUR)));
	for (unsigned int s = 0; have(&c, wpsn) && s < bank->num_sectors; s++)
		if (!(reg(&c, wpsn) & BIT(s)))
			fact(&c, "sector %u is write protected", s);
	for (unsigned int i = 0; i < 2; i++) {
		enum stm32h743_evidence_reg r = i ? (index ? EV_FLASH_SCAR_CUR2 : EV_FLASH_SCAR_CUR1) :
			(index ? EV_FLASH_PRAR_CUR2 : EV_FLASH_PRAR_CUR1);
		uint32_t a = reg(&c, r);

		if (have(&c, r) && (a & 0xFFF) <= ((a >> 16) & 0xFFF))
			fact(&c, "%s area 0x%08" PRIx32 "-0x%08" PRIx32 " (%s=0x%08" PRIx32 ")",
				i ? "secure-only" : "PCROP", (uint32_t)bank->base + (a & 0xFFF) * 256,
				(uint32_t)bank->base + ((a >> 16) & 0xFFF) * 256 + 255,
				stm32h743_evidence_name(r), a);
	}
	if (have(&c, srr) && (reg(&c, srr) & (SR_SNECCERR | SR_DBECCERR)))
		fact(&c, "ECC error latched for the flash word at 0x%08" PRIx32,
			(uint32_t)bank->base + (reg(&c, far) & 0x7FFF) * STM32H743_FLASH_WORD);
}

/* After a failed operation found nothing wrong to explain. */
void stm32h743_set_no_failure(struct flash_bank *bank, const char *operation,
		const char *verdict)
{
	memset(&last, 0, sizeof(last));
	last.valid = true;
	last.operation = operation;
	last.cause = CAUSE_NONE;
	snprintf(last.verdict, sizeof(last.verdict), "%s", verdict);
	snprintf(last.next_step, sizeof(last.next_step), "nothing to do");
	stm32h743_gather_evidence(bank, &last.ev);
}

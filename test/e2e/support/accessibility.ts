import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/**
 * An automated accessibility check (axe-core, WCAG 2.1 A and AA rules) of every page a journey
 * photographs: each check runs axe in the page as it stands, and keeps what it finds serious or
 * critical, named by the step, the rule and where on the page.
 */
export function accessibilityAudit() {
  const violations: string[] = [];
  return {
    violations,
    async check(page: Page, step: string): Promise<void> {
      if (!(await page.evaluate('typeof window.axe !== "undefined"')))
        await page.addScriptTag({ content: axeSource });
      const found = (await page.evaluate(
        `window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }).then((r) => r.violations)`,
      )) as AxeViolation[];
      for (const v of found) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        const where = v.nodes
          .slice(0, 3)
          .map((n) => `${JSON.stringify(n.target)} ${n.html.slice(0, 160)}`)
          .join(', ');
        violations.push(`${step}: ${v.id} (${v.impact}) ${v.help} at ${where}`);
      }
    },
  };
}

import { Text, TextInput, type TextInputProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { type AmountRules, formatAmount, parseAmount } from '../lib/amounts';

export interface AmountInputProps extends Omit<TextInputProps, 'value' | 'rightSection' | 'inputMode'> {
  /** What is typed: the field is controlled, since the line under it follows each keystroke. */
  value?: string;
  /** How the amount is read: its asset, decimals, and the most it may be. The form checks it by the same rules. */
  rules: AmountRules;
  /** The line under the field for an amount that can be saved; by default "Saved as 49.00 USD.". */
  preview?: (minor: bigint) => ReactNode;
  /** The line under the field while it holds no amount that can be saved; by default how to write one. */
  hint?: ReactNode;
}

function howToWrite({ scale, asset, most }: AmountRules): string {
  const bound = most ? `; at most ${formatAmount(most.minor, { scale, asset })}` : '';
  if (scale === 0) return `Whole ${asset}, such as 1200 or 1,200${bound}.`;
  const decimals = `${scale} ${scale === 1 ? 'decimal' : 'decimals'}`;
  return `In ${asset}, with up to ${decimals}: 49.00 or 49,00${bound}.`;
}

/**
 * A field for money or credits. It takes the person's own decimal separator, and says under the field
 * what will be saved, with its asset, before anything is sent: a price typed `49,00` reads "Saved as
 * 49.00 USD.", never 4,900.00. The form's check uses `checkAmount` with the same rules, so a refusal
 * (ambiguous, too many decimals, above the most) shows as the field's error.
 */
export function AmountInput({ rules, preview, hint, value = '', description, ...props }: AmountInputProps) {
  const parsed = parseAmount(value, rules);
  const line = parsed.ok
    ? (preview?.(parsed.minor) ?? `Saved as ${formatAmount(parsed.minor, rules)}.`)
    : (hint ?? howToWrite(rules));
  return (
    <TextInput
      inputMode={rules.scale === 0 ? 'numeric' : 'decimal'}
      autoComplete="off"
      rightSection={
        <Text size="sm" c="dimmed" aria-hidden>
          {rules.asset}
        </Text>
      }
      rightSectionWidth={`calc(${rules.asset.length}ch + 1.5rem)`}
      rightSectionPointerEvents="none"
      // What will be saved reads right under what was typed, and inputs side by side stay aligned.
      inputWrapperOrder={['label', 'input', 'description', 'error']}
      value={value}
      description={
        <>
          {description && <span style={{ display: 'block' }}>{description}</span>}
          <span data-amount-preview={parsed.ok ? 'saved' : 'hint'}>{line}</span>
        </>
      }
      {...props}
    />
  );
}

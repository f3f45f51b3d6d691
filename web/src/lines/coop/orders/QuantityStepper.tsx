import { ActionIcon, Group, NumberInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

/**
 * How many items of a product the household orders: − and + save at once, a typed number on leaving
 * the field or Enter. Changes made while one is saved are sent after it, the last one winning, so a
 * quick run of taps ends on what was tapped.
 */
export function QuantityStepper({
  name,
  quantity,
  maximum,
  disabled,
  describedBy,
  onSave,
}: {
  /** The product's name, for the controls' labels. */
  name: string;
  /** What the server holds. */
  quantity: number;
  maximum: number | null;
  disabled: boolean;
  describedBy?: string;
  /** Sends the quantity; rejects when the server refused it (the caller shows why). */
  onSave: (quantity: number) => Promise<void>;
}) {
  const [value, setValue] = useState<number>(quantity);
  const wanted = useRef<number | null>(null);
  const saving = useRef(false);
  const [busy, setBusy] = useState(false);

  // What the server holds shows once nothing is being sent (a refusal puts the old amount back).
  useEffect(() => {
    if (!saving.current) setValue(quantity);
  }, [quantity]);

  const flush = async () => {
    if (saving.current) return;
    saving.current = true;
    setBusy(true);
    try {
      while (wanted.current !== null) {
        const next = wanted.current;
        wanted.current = null;
        await onSave(next);
      }
    } catch {
      wanted.current = null;
      setValue(quantity);
    } finally {
      saving.current = false;
      setBusy(false);
    }
  };

  const change = (next: number) => {
    const bounded = Math.max(0, maximum === null ? next : Math.min(next, maximum));
    setValue(bounded);
    wanted.current = bounded;
    void flush();
  };

  const commitTyped = () => {
    if (value !== quantity && wanted.current === null && !saving.current) change(value);
  };

  return (
    <Group gap={4} wrap="nowrap">
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`One less ${name}`}
        onClick={() => change(value - 1)}
        disabled={disabled || value <= 0}
      >
        −
      </ActionIcon>
      <NumberInput
        aria-label={`Items of ${name}`}
        aria-describedby={describedBy}
        value={value}
        onChange={(next) => setValue(typeof next === 'number' ? next : Number.parseInt(next, 10) || 0)}
        onBlur={commitTyped}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commitTyped();
        }}
        min={0}
        max={maximum ?? undefined}
        allowDecimal={false}
        allowNegative={false}
        hideControls
        disabled={disabled}
        w={64}
        styles={{ input: { textAlign: 'center' } }}
        rightSection={busy ? <span aria-hidden>…</span> : null}
      />
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={`One more ${name}`}
        onClick={() => change(value + 1)}
        disabled={disabled || (maximum !== null && value >= maximum)}
      >
        +
      </ActionIcon>
    </Group>
  );
}

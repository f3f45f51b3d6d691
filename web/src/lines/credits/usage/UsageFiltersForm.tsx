import { Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { CreditsActionPrice, CreditsWorkspace } from '../../../api/types';
import { useDraft } from '../../../hooks/useFormDraft';
import { checkDayRange, type UsageFilters } from './usageFilters';

/** Filters apply when the form is submitted, so typing does not fire a query per keystroke. */
export function UsageFiltersForm({
  filters,
  prices,
  workspaces,
  onApply,
}: {
  filters: UsageFilters;
  prices: CreditsActionPrice[];
  workspaces: CreditsWorkspace[];
  onApply: (filters: UsageFilters) => void;
}) {
  const [typed, setTyped] = useState(filters);
  useDraft(
    'usage-filters',
    () => typed,
    (draft) => setTyped((current) => ({ ...current, ...draft })),
  );
  const set = (name: keyof UsageFilters) => (value: string | null) =>
    setTyped({ ...typed, [name]: value ?? '' });
  const rangeError = checkDayRange(typed);
  const cleared: UsageFilters = { action: '', used_for: '', from: '', to: '', workspace: '' };

  return (
    <form
      aria-label="Filter the usage history"
      onSubmit={(event) => {
        event.preventDefault();
        if (!rangeError) onApply(typed);
      }}
    >
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm">
        <Select
          label="Action"
          placeholder="Any action"
          clearable
          data={prices.map((price) => ({ value: price.action, label: price.label }))}
          value={typed.action || null}
          onChange={set('action')}
        />
        <TextInput
          label="Used for"
          description="Part of the purpose, in any case: post finds post:7f3c"
          value={typed.used_for}
          onChange={(event) => set('used_for')(event.currentTarget.value)}
        />
        <Select
          label="Workspace"
          placeholder="Any workspace"
          clearable
          data={workspaces.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
          value={typed.workspace || null}
          onChange={set('workspace')}
        />
        <TextInput
          label="From"
          type="date"
          value={typed.from}
          onChange={(event) => set('from')(event.currentTarget.value)}
        />
        <TextInput
          label="To"
          type="date"
          value={typed.to}
          error={rangeError}
          onChange={(event) => set('to')(event.currentTarget.value)}
        />
      </SimpleGrid>
      <Group mt="md">
        <Button type="submit" disabled={rangeError !== null}>
          Apply filters
        </Button>
        <Button
          variant="default"
          onClick={() => {
            setTyped(cleared);
            onApply(cleared);
          }}
        >
          Clear
        </Button>
      </Group>
    </form>
  );
}

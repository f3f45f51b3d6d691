import { Button, Group, SimpleGrid, TextInput } from '@mantine/core';
import { useState } from 'react';
import { type AuditFilters, auditFilterFields } from './auditFilters';

/** Filters are applied when the form is submitted, so typing does not fire a query per keystroke. */
export function AuditFiltersForm({
  filters,
  onApply,
}: {
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const [typed, setTyped] = useState(filters);
  const set = (name: keyof AuditFilters) => (event: React.ChangeEvent<HTMLInputElement>) =>
    setTyped({ ...typed, [name]: event.currentTarget.value });
  const cleared = Object.fromEntries(Object.keys(typed).map((name) => [name, ''])) as AuditFilters;

  return (
    <form
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(typed);
      }}
    >
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        {auditFilterFields.map((field) => (
          <TextInput
            key={field.name}
            label={field.label}
            placeholder={field.placeholder}
            value={typed[field.name]}
            onChange={set(field.name)}
          />
        ))}
        <TextInput label="From" type="datetime-local" value={typed.from} onChange={set('from')} />
        <TextInput label="Before" type="datetime-local" value={typed.to} onChange={set('to')} />
      </SimpleGrid>
      <Group mt="md">
        <Button type="submit">Apply filters</Button>
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

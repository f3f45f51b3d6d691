import { Stack } from '@mantine/core';
import { useCallback } from 'react';
import { api, call } from '../../../api/client';
import { LoadOlder } from '../../../components/LoadOlder';
import { ResourceView } from '../../../components/ResourceView';
import { SectionCard } from '../../../components/SectionCard';
import { NothingYet } from '../../../components/States';
import { useCursorPages } from '../../../hooks/useCursorPages';
import { AuditTable } from '../../../pages/admin/AuditTable';

/** An object's history from the audit log (administrators): who changed it, when, and how. */
export function ObjectHistory({ objectType, objectId }: { objectType: string; objectId: string }) {
  const loadPage = useCallback(
    (cursor?: string) =>
      call(
        api.GET('/api/audit', {
          params: { query: { object_type: objectType, object_id: objectId, cursor, limit: 20 } },
        }),
      ),
    [objectType, objectId],
  );
  const pages = useCursorPages(`audit:${objectType}:${objectId}`, loadPage);
  return (
    <SectionCard title="History" description="Every change, newest first, from the audit log.">
      <Stack gap="sm">
        <ResourceView
          resource={pages.first}
          loadingLabel="Loading the history…"
          isEmpty={(page) => page.items.length === 0}
          empty={<NothingYet title="No recorded changes">Changes appear here as they are made.</NothingYet>}
        >
          {() => (
            <AuditTable
              entries={pages.items}
              moreToLoad={pages.hasMore}
              exportName={`history-${objectType}`}
            />
          )}
        </ResourceView>
        <LoadOlder pages={pages} label="Load older changes" />
      </Stack>
    </SectionCard>
  );
}

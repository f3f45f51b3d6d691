import { describe, expect, it } from 'vitest';
import type { OrganizationKind } from '../../api/types';
import { lineOrganisationPage } from './lineOrganisations';

const kind = (
  name: string,
  label: string,
  invitationsByLine: boolean,
  renamedByLine = false,
  createdByLine = false,
): OrganizationKind => ({
  kind: name,
  label,
  creator_role: 'owner',
  self_service: true,
  invitations_by_line: invitationsByLine,
  renamed_by_line: renamedByLine,
  created_by_line: createdByLine,
  roles: [],
});

describe('organisations a product line manages', () => {
  it('follows what the kind says its line handles, not its name', () => {
    const credits = {
      line: 'Credits',
      holds: 'Its name, invitations, credits and usage',
      path: '/credits/workspaces/w1',
    };
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', true), 'w1')).toEqual(credits);
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', false), 'w1')).toBeNull();
    expect(lineOrganisationPage(kind('team', 'Team', false), 't1')).toBeNull();
    expect(lineOrganisationPage(kind('shop_stall', 'Stall', true), 's1')).toEqual({
      line: 'Stall',
      holds: 'Its own pages',
      path: null,
    });
    expect(lineOrganisationPage(kind('credits_workspace', 'Workspace', false, true), 'w1')).toEqual(credits);
    // A buyers club is made by the coop: an accepted invitation leads to the club's coop page.
    expect(lineOrganisationPage(kind('club', 'Buyers club', false, false, true), 'c1')).toEqual({
      line: 'Coop',
      holds: 'Its households, producers and products',
      path: '/coop/clubs/c1',
    });
    expect(lineOrganisationPage(undefined, 'x')).toBeNull();
  });
});

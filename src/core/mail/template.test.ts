import { describe, expect, it } from 'vitest';
import { action, facts, paragraph, renderMail, subject } from './template';

describe('a mail template', () => {
  const name = 'Eve <script>alert(1)</script>\nVisit https://evil.test now';
  const mail = renderMail('test', {
    subject: subject`${name} invited you`,
    blocks: [
      paragraph`Hello, ${name} & friends.`,
      facts([['Email', 'ada@example.test']]),
      action('Accept the invitation', 'https://tally.test/invitations/abc?x=1&y=2'),
    ],
  });

  it('keeps what people typed on one line in the subject and the text', () => {
    expect(mail.subject).toBe('Eve <script>alert(1)</script> Visit https://evil.test now invited you');
    expect(mail.subject).not.toContain('\n');
    expect(mail.text).toBe(
      'Hello, Eve <script>alert(1)</script> Visit https://evil.test now & friends.\n\n' +
        'Email: ada@example.test\n\n' +
        'Accept the invitation: https://tally.test/invitations/abc?x=1&y=2',
    );
  });

  it('escapes what people typed in the HTML, and Tally’s own words and links too', () => {
    expect(mail.html).toContain(
      'Hello, Eve &lt;script&gt;alert(1)&lt;/script&gt; Visit https://evil.test now &amp; friends.',
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('href="https://tally.test/invitations/abc?x=1&amp;y=2"');
    expect(mail.html).toContain('<title>Eve &lt;script&gt;');
  });
});

/**
 * A browser's user-agent string as people name their browsers: "Firefox on Windows", "Safari on
 * iPhone". Only the browser and the system are read, never versions: the sessions list needs to
 * tell one's own devices apart, and a version would only make two alike look different.
 */

const browsers: [RegExp, string][] = [
  // Browsers built on Chrome's engine name Chrome too: the more particular names come first.
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bVivaldi\//, 'Vivaldi'],
  [/\bYaBrowser\//, 'Yandex Browser'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\bChrome\/|\bCriOS\//, 'Chrome'],
  [
    /\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari\/|^Mozilla\/[\d.]+ \((?:iPhone|iPad|iPod|Macintosh)/,
    'Safari',
  ],
  [/^curl\//, 'curl'],
];

const systems: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\biPod\b/, 'iPod'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

const find = (text: string, table: [RegExp, string][]) =>
  table.find(([pattern]) => pattern.test(text))?.[1] ?? null;

/** The name a program gives itself first (`python-requests/2.31` → `python-requests`), for the rest. */
function productName(text: string): string | null {
  const first = /^([A-Za-z][\w.-]*)\//.exec(text)?.[1];
  return first && first !== 'Mozilla' ? first : null;
}

/** "Firefox on Windows", "Safari on iPhone", "curl"; null when nothing in it names a browser or a program. */
export function describeUserAgent(userAgent: string | null | undefined): string | null {
  const text = userAgent?.trim() ?? '';
  if (!text) return null;
  const browser = find(text, browsers) ?? productName(text);
  const system = find(text, systems);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  return system ? `A browser on ${system}` : null;
}

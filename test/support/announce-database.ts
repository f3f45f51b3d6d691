/**
 * Says at the start of a run which database the tests use. On the embedded one there is a single
 * connection, so nothing runs concurrently: the tests that prove locks and retries under real
 * concurrency run only on PostgreSQL, and are skipped otherwise.
 */
export default function announceDatabase(): void {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const { host, pathname } = new URL(url);
    console.log(`Tests run on PostgreSQL at ${host}${pathname}, concurrency tests included.`);
  } else {
    console.log(
      'Tests run on the embedded database (PGlite, one connection): the concurrency tests are skipped.' +
        ' Set TEST_DATABASE_URL to a PostgreSQL database to run them.',
    );
  }
}

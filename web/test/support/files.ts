import { File as NodeFile } from 'node:buffer';

/**
 * The page and a whole Tally share one process here. jsdom's File and FormData would reach the
 * server as the text "undefined", and a file the server parsed would fail its `instanceof File`
 * (jsdom's). A test file that uploads a file through a page uses Node's instead: the server then
 * receives the bytes in a multipart body, as from a browser.
 */
export async function installNodeFileApis(): Promise<void> {
  const NodeFormData = (await new Response(new URLSearchParams('a=1')).formData()).constructor;
  Object.assign(globalThis, { File: NodeFile, FormData: NodeFormData });
}

// Stops the Babelfish engine global-setup started (if it did).
export default async function globalTeardown(): Promise<void> {
  await globalThis.ordersSyncBabelfish?.stop();
}

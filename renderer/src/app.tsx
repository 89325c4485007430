/**
 * The renderer. The connect / produce / watch screens are built in the
 * desktop-app issue; until then the page says plainly what works today.
 */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Kafka Video Studio</h1>
      <p data-testid="not-yet">
        The desktop screens are not built yet. Today the command line works: <code>npx kvs produce</code>,{' '}
        <code>npx kvs consume</code> and <code>npx kvs topics</code> (see README).
      </p>
    </main>
  );
}

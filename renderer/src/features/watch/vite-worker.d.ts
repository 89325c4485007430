/** Vite's `?worker&inline` import (vite/client declares it; the page's tsconfig does not load vite/client). */
declare module '*?worker&inline' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}

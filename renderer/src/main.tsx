import './zod-config.js';
// The styles, in cascade order: shared first, then each feature's (next to its components).
import './shared/theme.css';
import './shared/frame.css';
import './shared/forms.css';
import './shared/status.css';
import './shared/check-row.css';
import './shared/progress.css';
import './features/watch/watch.css';
import './features/watch/timeline.css';
import './features/topics/topics.css';
import './features/setup/setup.css';
import './features/doctor/doctor.css';
import './features/connect/profiles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { getApi } from './transport/get-api.js';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App api={getApi()} />
    </StrictMode>,
  );

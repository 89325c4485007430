// The page's camera and microphone requests go to the built main's permission request handler
// first, as in Electron: a page's getUserMedia reaches WebContents::RequestMediaAccessPermission,
// which asks the session's handler with permission "media" and details.mediaTypes — "audio" for a
// device audio capture, then "video" for a device video capture — and securityOrigin
// (shell/browser/web_contents_permission_helper.cc RequestMediaAccessPermission), plus
// requestingUrl and isMainFrame (shell/browser/electron_permission_manager.cc
// RequestPermissionsWithDetails). A refusal ends the request with PERMISSION_DENIED
// (MediaAccessAllowed in the same file), which the page sees as a NotAllowedError. Only when the
// handler grants it does Chromium open the (here: fake) camera.
// Plain JavaScript on purpose: it is sent to the browser as text (an init script, before any page
// script, on every load).
(function standinMediaPermission() {
  'use strict';
  if (window !== window.top) return;
  const ask = window.__kvsStandinMediaRequest;
  const md = navigator.mediaDevices;
  if (!md || typeof ask !== 'function') return;
  const real = md.getUserMedia.bind(md);
  md.getUserMedia = async function getUserMedia(constraints) {
    const c = constraints || {};
    const mediaTypes = [];
    if (c.audio) mediaTypes.push('audio');
    if (c.video) mediaTypes.push('video');
    const granted = await ask(mediaTypes, location.href);
    if (granted !== true) throw new DOMException('Permission denied', 'NotAllowedError');
    return real(constraints);
  };
})();

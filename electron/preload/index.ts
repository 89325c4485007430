/**
 * Preload: the only bridge between the page and main. It will expose one typed
 * method per operation of the shared contract (never ipcRenderer itself); for
 * now it exposes the app version only.
 */
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('kvs', { version: '0.1.0' });

// The desktop app's entry point: the shell (shell.ts) with Electron's real modules and the paths of the built app.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess } from 'electron';
import { shellPaths, startShell } from './shell.js';

startShell({ app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, utilityProcess }, shellPaths(path.dirname(fileURLToPath(import.meta.url))));

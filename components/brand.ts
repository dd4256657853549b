/** Name and colours the browser and a phone's home screen show (app/layout.tsx, app/manifest.ts). */
export const BRAND = {
  name: "Switchboard",
  description: "Self-hosted admin platform for WhatsApp bots",
  /** The light theme's --primary (app/globals.css), also the icon's tile (public/icon.svg). */
  themeColor: "#047857",
  /** The light theme's --background: the splash screen behind the icon. */
  backgroundColor: "#f8fafc",
};

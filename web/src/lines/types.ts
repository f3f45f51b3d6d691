import type { RouteObject } from 'react-router';

/**
 * A product line as the web app shows it: what it is (the home page's card, the navigation), and
 * its pages. Each line's folder exports one; `lines/index.ts` lists them, and the app's routes,
 * navigation and home page are built from that list.
 */
export interface WebLine {
  slug: 'streams' | 'gateway' | 'coop' | 'credits';
  name: string;
  tagline: string;
  summary: string;
  people: string;
  capabilities: string[];
  /**
   * The line's pages, loaded when first visited (each line is a bundle of its own). A line without
   * pages yet is shown at `/<slug>` by the page that says what it will do.
   */
  routes?: RouteObject[];
}

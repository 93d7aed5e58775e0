/** The OAuth scopes that let a token read or manage apps (apps and their keys share them). */
export const APPS_READ = ["okta.apps.read", "okta.apps.manage"];
export const APPS_MANAGE = ["okta.apps.manage"];

export interface User {
  id: number;
  session_id: string;
  created: number;
  last_active: number;
  banned: boolean;
  moderator: boolean;
  admin: boolean;
  visible_mod: boolean;
}

/** Id of the internal system user (`ff` + server key), the actor of admin CLI commands. */
export const SYSTEM_USER_ID = 0;

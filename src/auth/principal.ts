/** Who is calling, once a transport has authenticated them. */
export interface Principal {
  userId: string;
  email: string;
  /** The dashboard session (JWT `session_id`), or absent for a personal access token. */
  sessionId?: string;
  /** `operator`: someone running the supaplane CLI on the server, acting for a user. */
  via: 'session' | 'access_token' | 'operator';
  /**
   * A dashboard session still at aal1 although its user has a verified second
   * factor: it may only finish signing in (the GoTrue factor endpoints).
   */
  mfaPending?: boolean;
}

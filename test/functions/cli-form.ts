/**
 * A deploy body byte for byte as the Supabase CLI writes it: Go's mime/multipart
 * Writer, a `metadata` field holding json.Encoder output (so a trailing newline), then
 * one `file` part per file, named by its path relative to the project directory,
 * as application/octet-stream (apps/cli-go/pkg/function/deploy.go:132-185@1d1e7191 of
 * supabase/cli; its snapshot apps/cli-go/pkg/function/testdata/writes_import_map.form
 * shows the same layout). Field order is FunctionDeployMetadata's
 * (apps/cli-go/pkg/function/api.go:17-24), `omitempty` dropping nil pointers only.
 */
export interface CliMetadata {
  entrypoint_path: string;
  import_map_path?: string;
  name?: string;
  static_patterns?: string[];
  verify_jwt?: boolean;
}

export function cliDeployForm(
  metadata: CliMetadata,
  files: { path: string; content: string | Buffer }[],
  boundary = 'a3f1c9e2b7d4a6f8e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1',
): { body: Buffer; contentType: string } {
  const ordered = {
    entrypoint_path: metadata.entrypoint_path,
    ...(metadata.import_map_path !== undefined
      ? { import_map_path: metadata.import_map_path }
      : {}),
    ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    ...(metadata.static_patterns !== undefined
      ? { static_patterns: metadata.static_patterns }
      : {}),
    ...(metadata.verify_jwt !== undefined ? { verify_jwt: metadata.verify_jwt } : {}),
  };
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(ordered)}\n`,
    ),
  ];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.path}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
    );
  }
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

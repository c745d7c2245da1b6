/** A `files` row (§9). `expiry` null = never expires. */
export interface StoredFile {
  id: number;
  room: number | null;
  uploader: number | null;
  message: number | null;
  size: number;
  uploaded: number;
  expiry: number | null;
  filename: string | null;
  path: string;
}

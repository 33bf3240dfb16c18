/** Request bodies the API accepts, validated with zod; field errors go back to the caller as they are. */
import { z } from 'zod';

export const CHANNELS = ['telegram', 'whatsapp', 'email', 'web'] as const;

export const IngestMessageSchema = z.object({
  channel: z.enum(CHANNELS),
  text: z.string().trim().min(1).max(4000),
  external_user_id: z.string().trim().min(1).max(200),
  // Integrations send their own fields (message ids, display names); they are accepted and not stored.
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type IngestMessage = z.infer<typeof IngestMessageSchema>;

export interface FieldErrors {
  form: string[];
  fields: Record<string, string[]>;
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const flat = z.flattenError(error);
  const fields: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(flat.fieldErrors) as [string, string[] | undefined][]) {
    if (messages !== undefined) fields[key] = messages;
  }
  return { form: flat.formErrors, fields };
}

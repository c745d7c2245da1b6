import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One fact about the server this database belongs to (see server-identity.ts). */
@Entity('server_settings')
export class ServerSetting {
  @PrimaryColumn('text') name!: string;
  @Column('text') value!: string;
}

export { SYSTEM_USER_ID, User } from './user.entity';
